#include "curate/backends/local/scoped_environment.hpp"

#include <cstdlib>

namespace curate::backends::local {

ScopedEnvironment::ScopedEnvironment(const std::map<std::string, std::string>& variables) {
  for (const auto& [name, value] : variables) {
    const char* old = std::getenv(name.c_str());
    previous_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
    setenv(name.c_str(), value.c_str(), /*overwrite=*/1);
  }
}

ScopedEnvironment::~ScopedEnvironment() {
  for (auto it = previous_.rbegin(); it != previous_.rend(); ++it) {
    if (it->second) {
      setenv(it->first.c_str(), it->second->c_str(), 1);
    } else {
      unsetenv(it->first.c_str());
    }
  }
}

}  // namespace curate::backends::local
