#include "curate/core/task.hpp"

namespace curate {

void Task::inherit_from(const Task& parent) {
  task_id_ = parent.task_id_;
  dataset_name_ = parent.dataset_name_;
  metadata_ = parent.metadata_;
  stage_perf_ = parent.stage_perf_;
}

}  // namespace curate
