#include "curate/core/executor.hpp"

namespace curate {

std::vector<TaskPtr> Executor::execute(const std::vector<StagePtr>& stages,
                                       std::vector<TaskPtr> initial_tasks,
                                       const CancellationToken& cancel) {
  if (cancel.cancelled()) throw RunCancelled(cancel.reason());
  auto outputs = execute(stages, std::move(initial_tasks));
  if (cancel.cancelled()) throw RunCancelled(cancel.reason());
  return outputs;
}

}  // namespace curate
