#include "curate/core/task.hpp"

#include <cstring>

namespace curate {

const char* merge_item_unit(const char* seen, const char* unit) {
  if (unit == nullptr || *unit == '\0' || unit == seen) return seen;
  if (seen == nullptr) return unit;
  // Literals of the same text may sit at different addresses in different libraries.
  return std::strcmp(seen, unit) == 0 ? seen : kItemsUnit;
}

void Task::inherit_from(const Task& parent) {
  task_id_ = parent.task_id_;
  dataset_name_ = parent.dataset_name_;
  metadata_ = parent.metadata_;
  stage_perf_ = parent.stage_perf_;
}

}  // namespace curate
