#include "curate/backends/base.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace curate::backends {

bool ignore_head_node_from_env() {
  const char* value = std::getenv("CURATOR_IGNORE_RAY_HEAD_NODE");
  if (value == nullptr) return false;
  std::string text(value);
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text == "1" || text == "true" || text == "yes";
}

BaseExecutor::BaseExecutor(nlohmann::json config, bool ignore_head_node)
    : config_(config.is_null() ? nlohmann::json::object() : std::move(config)),
      ignore_head_node_(ignore_head_node || ignore_head_node_from_env()) {}

}  // namespace curate::backends
