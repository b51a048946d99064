#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace curate::cli {

/// A mistake in what the user asked for: a pipeline file, a `--set`, a command-line
/// option. The message names the file (and line), the stage and the closest valid
/// names. One ConfigError may carry several mistakes (every one a check found, in file
/// order): the CLI reports each on a line of its own and exits with kExitUsage; any
/// other exception during a run exits with kExitRunFailed.
class ConfigError : public std::runtime_error {
 public:
  /// Report one mistake.
  explicit ConfigError(const std::string& message);
  /// Report several (non-empty); `what()` is them joined by newlines.
  explicit ConfigError(std::vector<std::string> messages);
  /// Return every mistake, one message each.
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::vector<std::string> messages_;
};

/// The exit status of a run that finished.
inline constexpr int kExitSuccess = 0;
/// The exit status of a run that failed while executing (a stage threw, I/O failed).
inline constexpr int kExitRunFailed = 1;
/// The exit status of a usage or configuration error found before anything ran.
inline constexpr int kExitUsage = 2;
/// The exit status of a run stopped by SIGINT (128 + signal, as shells report it); one
/// stopped by SIGTERM exits with 143.
inline constexpr int kExitInterrupted = 130;

}  // namespace curate::cli
