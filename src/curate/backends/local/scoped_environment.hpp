#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace curate::backends::local {

/// Set environment variables for the lifetime of the scope and restore the previous
/// values (or their absence) afterwards: how the LocalExecutor applies
/// `runtime_env.env_vars` to its in-process workers. The environment is process-wide, so
/// the scope is created by the driver before workers start and destroyed after they
/// joined; it must not overlap with another thread changing the environment.
class ScopedEnvironment {
 public:
  /// Set every `name=value` of `variables` now.
  explicit ScopedEnvironment(const std::map<std::string, std::string>& variables);
  /// Restore what the constructor changed, in reverse order.
  ~ScopedEnvironment();
  ScopedEnvironment(const ScopedEnvironment&) = delete;
  ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> previous_;
};

}  // namespace curate::backends::local
