#pragma once

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
};

}  // namespace curate
