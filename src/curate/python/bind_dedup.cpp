// The deduplication workflows from Python: a workflow document in, the counters out.

#include "curate/cli/config_error.hpp"
#include "curate/cli/dedup_command.hpp"
#include "curate/cli/workflow_file.hpp"
#include "curate/python/bindings.hpp"
#include "curate/python/python_executor.hpp"
#include "curate/python/python_log_sink.hpp"

#include <nanobind/stl/string.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <sstream>

namespace nb = nanobind;

namespace curate::python {
namespace {

// Runs the workflow the document names exactly as `curate run` runs a workflow file,
// and returns its counters as JSON. The GIL is released for the whole run; the engine's
// log records go to logging.getLogger("curate"). With a Python `executor` (one with
// `_execute_native`, see PythonExecutor), every phase's stages run on it instead of the
// LocalExecutor; the GIL is taken only for its calls.
std::string run_dedup_workflow(const std::string& document, nb::object executor) {
  cli::DedupOptions options = cli::workflow_options(nlohmann::json::parse(document));
  options.json = true;
  std::ostringstream out;
  std::ostringstream err;
  cli::CliContext context(out, err);
  std::unique_ptr<PythonExecutor> python_executor;
  if (!executor.is_none()) {
    python_executor = std::make_unique<PythonExecutor>(executor);
    context.executor = python_executor.get();
  }
  PythonLogScope logs;
  int status = 0;
  {
    nb::gil_scoped_release release;
    status = cli::dedup_command(options, context);
  }
  if (status != cli::kExitSuccess) throw std::runtime_error(err.str());
  return out.str();
}

}  // namespace

void bind_dedup(nb::module_& m) {
  m.def("run_dedup_workflow", &run_dedup_workflow, nb::arg("document"),
        nb::arg("executor") = nb::none(),
        "Run exact_deduplication or fuzzy_deduplication as a workflow document describes "
        "it (JSON), without the GIL; return the counters as JSON. With `executor` (a Python "
        "object with _execute_native(stages, initial_tasks)), run every phase on it.");
}

}  // namespace curate::python
