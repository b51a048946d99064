#pragma once

#include "curate/core/processing_stage.hpp"

#include <stdexcept>

namespace curate::python {

/// The error a stage throws to stop a run that Ctrl-C interrupted; `Pipeline.run` turns
/// the run's failure back into KeyboardInterrupt.
class RunInterrupted : public std::runtime_error {
 public:
  RunInterrupted() : std::runtime_error("the run was interrupted (Ctrl-C)") {}
};

/// Mark the run in progress as interrupted (the driver saw SIGINT), or clear the mark
/// before a run. Callable from any thread.
void set_interrupted(bool interrupted);
/// Return true after `set_interrupted(true)`. Cheap: one relaxed atomic load.
bool interrupted();
/// Throw RunInterrupted when the run is interrupted.
void throw_if_interrupted();

/// A pass-through stage that throws RunInterrupted once the run is interrupted. The
/// LocalExecutor has no way yet to be cancelled from outside, but it stops every worker
/// and tears everything down when a stage throws: `Pipeline.run` puts one of these after
/// the first stage that makes batches (the reader), so a run of C++ stages alone stops
/// within one batch of Ctrl-C. Python stages check the mark themselves.
class InterruptCheckStage final : public CloneableStage<InterruptCheckStage> {
 public:
  InterruptCheckStage() : CloneableStage("interrupt_check") {}
  std::vector<TaskPtr> process(TaskPtr task) override;
};

}  // namespace curate::python
