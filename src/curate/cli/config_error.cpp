#include "curate/cli/config_error.hpp"

namespace curate::cli {
namespace {

std::string joined(const std::vector<std::string>& messages) {
  std::string text;
  for (const std::string& message : messages) text += (text.empty() ? "" : "\n") + message;
  return text;
}

}  // namespace

ConfigError::ConfigError(const std::string& message)
    : std::runtime_error(message), messages_{message} {}

ConfigError::ConfigError(std::vector<std::string> messages)
    : std::runtime_error(joined(messages)), messages_(std::move(messages)) {}

}  // namespace curate::cli
