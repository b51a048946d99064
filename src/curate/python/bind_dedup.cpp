// The deduplication workflows from Python: a workflow document in, the counters out.

#include "curate/cli/config_error.hpp"
#include "curate/cli/dedup_command.hpp"
#include "curate/cli/workflow_file.hpp"
#include "curate/python/bindings.hpp"
#include "curate/python/python_log_sink.hpp"

#include <nanobind/stl/string.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace nb = nanobind;

namespace curate::python {
namespace {

// Runs the workflow the document names exactly as `curate run` runs a workflow file,
// and returns its counters as JSON. The GIL is released for the whole run; the engine's
// log records go to logging.getLogger("curate").
std::string run_dedup_workflow(const std::string& document) {
  cli::DedupOptions options = cli::workflow_options(nlohmann::json::parse(document));
  options.json = true;
  std::ostringstream out;
  std::ostringstream err;
  cli::CliContext context(out, err);
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
        "Run exact_deduplication or fuzzy_deduplication as a workflow document describes "
        "it (JSON), without the GIL; return the counters as JSON.");
}

}  // namespace curate::python
