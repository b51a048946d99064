#pragma once

#include "curate/core/executor.hpp"

#include <nanobind/nanobind.h>

namespace curate::python {

/// A C++ Executor over a Python object with a method
/// `_execute_native(stages: list[NativeStage], initial_tasks: list[Task]) -> list[Task]`
/// (the RayExecutor), so that C++ workflows (the deduplication phases) run on it. The
/// contract of that method: run `stages` (built: no composites) from `initial_tasks`,
/// in whatever processes it likes, through their descriptions (`pickle` of a
/// NativeStage), and return the last stage's outputs; before returning, call
/// `stage.merge_counters(worker_stage.counters())` on each stage object it was given,
/// once per worker instance of it, so that counters shared by the driver's stages (the
/// fuzzy workflow's statistics) come out as in an in-process run. The GIL is taken only
/// for the call. Any thread; one `execute` at a time.
class PythonExecutor final : public Executor {
 public:
  /// Keep `executor` (a reference is held; taken with the GIL held). Throws
  /// std::invalid_argument when it has no `_execute_native`.
  explicit PythonExecutor(nanobind::object executor);
  /// Release the Python object (takes the GIL).
  ~PythonExecutor() override;
  PythonExecutor(const PythonExecutor&) = delete;
  PythonExecutor& operator=(const PythonExecutor&) = delete;

  /// Call `_execute_native(stages, initial_tasks)` with the GIL held. A Python exception
  /// propagates as nanobind::python_error (the caller's Python code sees the original).
  std::vector<TaskPtr> execute(const std::vector<StagePtr>& stages,
                               std::vector<TaskPtr> initial_tasks) override;

  using Executor::execute;

 private:
  nanobind::object executor_;
};

}  // namespace curate::python
