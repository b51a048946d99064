#pragma once

#include "curate/core/cancellation.hpp"
#include "curate/core/processing_stage.hpp"

#include <vector>

namespace curate {

/// Run a built list of stages over initial tasks. Implemented in backends/ (LocalExecutor,
/// MpiExecutor); core only knows this interface so that `Pipeline::run` stays executor-free.
class Executor {
 public:
  virtual ~Executor() = default;
  /// Run `stages` (already built: no composites) from `initial_tasks` and return the last
  /// stage's outputs. Throws the first error any stage raised, after tearing down.
  virtual std::vector<TaskPtr> execute(const std::vector<StagePtr>& stages,
                                       std::vector<TaskPtr> initial_tasks) = 0;
  /// Run as `execute` above, stopping early once `cancel` is cancelled (from any thread):
  /// no new task starts, every stage instance is torn down, and RunCancelled is thrown
  /// (also at once, before anything starts, when `cancel` already is cancelled). A stage
  /// error that came first is thrown instead. The default, for executors that cannot stop
  /// a run, checks the token before and after the run only; LocalExecutor stops within
  /// the stage calls in progress.
  virtual std::vector<TaskPtr> execute(const std::vector<StagePtr>& stages,
                                       std::vector<TaskPtr> initial_tasks,
                                       const CancellationToken& cancel);
};

}  // namespace curate
