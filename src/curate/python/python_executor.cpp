#include "curate/python/python_executor.hpp"

#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/vector.h>

#include <stdexcept>

namespace nb = nanobind;

namespace curate::python {

PythonExecutor::PythonExecutor(nb::object executor) : executor_(std::move(executor)) {
  if (!nb::hasattr(executor_, "_execute_native")) {
    throw std::invalid_argument(
        "the executor has no _execute_native(stages, initial_tasks) method, so it cannot run "
        "the engine's stages; pass None for the LocalExecutor");
  }
}

PythonExecutor::~PythonExecutor() {
  nb::gil_scoped_acquire gil;
  executor_.reset();
}

std::vector<TaskPtr> PythonExecutor::execute(const std::vector<StagePtr>& stages,
                                             std::vector<TaskPtr> initial_tasks) {
  nb::gil_scoped_acquire gil;
  nb::object outputs = executor_.attr("_execute_native")(stages, std::move(initial_tasks));
  return nb::cast<std::vector<TaskPtr>>(outputs);
}

}  // namespace curate::python
