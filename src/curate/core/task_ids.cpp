#include "curate/core/task_ids.hpp"

#include <fmt/format.h>
#include <xxhash.h>

namespace curate {

std::string stable_hash_id(std::string_view content) {
  return fmt::format("{:016x}", XXH3_64bits(content.data(), content.size()));
}

void assign_output_ids(const std::vector<std::string>& input_ids, std::vector<TaskPtr>& outputs) {
  if (outputs.size() == input_ids.size()) {
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      if (outputs[i]->task_id().empty()) outputs[i]->set_task_id(input_ids[i]);
    }
    return;
  }
  std::string parent;
  if (input_ids.size() == 1) {
    parent = input_ids.front();
  } else {
    std::string joined;
    for (const auto& id : input_ids) {
      joined += id;
      joined += '\n';
    }
    parent = stable_hash_id(joined);
  }
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i]->task_id().empty()) outputs[i]->set_task_id(fmt::format("{}_{}", parent, i));
  }
}

}  // namespace curate
