#pragma once

#include "curate/core/processing_stage.hpp"

namespace curate::python {

/// The first stage of a run given initial tasks (`Pipeline.run(initial_tasks=...)`): it
/// passes them on and declares that it produces whatever columns they hold, so that
/// `Pipeline::build` accepts a pipeline with no reader, whose columns only the data knows.
class InitialTasksStage final : public CloneableStage<InitialTasksStage> {
 public:
  InitialTasksStage() : CloneableStage("initial_tasks") {}
  StageIO outputs() const override { return {{}, true}; }
  std::vector<TaskPtr> process(TaskPtr task) override { return {std::move(task)}; }
};

}  // namespace curate::python
