// The `curate` command from the Python package (curate.cli): the engine's CLI run in this
// process, and what the package needs to run `executor: {type: ray}` files itself: the
// file's executor type, and the file checked (every mistake with its line) and resolved.
#include "curate/cli/app.hpp"
#include "curate/cli/config_error.hpp"
#include "curate/cli/config_errors.hpp"
#include "curate/cli/overwrite.hpp"
#include "curate/cli/pipeline_builder.hpp"
#include "curate/cli/pipeline_config.hpp"
#include "curate/cli/stage_catalogue.hpp"
#include "curate/cli/workflow_file.hpp"
#include "curate/cli/yaml_to_json.hpp"
#include "curate/python/bindings.hpp"

#include <fmt/format.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <mutex>

namespace nb = nanobind;
using nlohmann::json;

namespace curate::python {
namespace {

namespace fs = std::filesystem;

int run_cli(const std::vector<std::string>& args) {
  // As main() does, once per process: log records go to stderr, results to stdout.
  static std::once_flag logging;
  std::call_once(logging, [] { cli::log_to_stderr(); });
  nb::gil_scoped_release release;
  cli::CliContext context{std::cout, std::cerr};
  context.err_is_terminal = isatty(STDERR_FILENO) == 1;
  context.handle_interrupts = true;
  const int status = cli::run_cli(args, context);
  std::cout.flush();
  std::cerr.flush();
  return status;
}

// "ray", "local", ... for a file `curate run` would read; "" when the file cannot be read
// (the CLI then reports why).
std::string run_file_executor_type(const std::string& file, const std::vector<std::string>& sets) {
  try {
    if (cli::is_workflow_file(file)) {
      return cli::workflow_executor_type(cli::load_yaml_file(file));
    }
    cli::ConfigErrors ignored;
    return cli::load_pipeline_config(file, sets, &ignored).executor.type;
  } catch (const std::exception&) {
    return "";
  }
}

bool has_param(const StageRegistration& registration, const std::string& name) {
  return std::any_of(registration.params.begin(), registration.params.end(),
                     [&](const StageParamInfo& param) { return param.name == name; });
}

// Give `log_dir` to every stage of `document` that takes one and leaves it unset (entries
// the catalogue does not know, such as python_stage, have none).
void give_log_dir(json& document, const std::string& log_dir, const StageRegistry& registry) {
  for (json& entry : document["stages"]) {
    json& params = entry["params"];
    if (params.is_null()) params = json::object();
    const std::string stage = entry.at("stage").get<std::string>();
    if (!log_dir.empty() && registry.contains(stage) && has_param(registry.get(stage), "log_dir") &&
        (!params.contains("log_dir") || params["log_dir"].is_null())) {
      params["log_dir"] = log_dir;
    }
  }
}

// Check a pipeline file exactly as `curate run` does (every mistake at once, with file
// and line; ConfigError) and return its resolved document with the executor config
// merged and `log_dir` given to every stage that takes one and leaves it unset.
std::string check_pipeline_file(const std::string& file, const std::vector<std::string>& sets,
                                const std::string& log_dir) {
  cli::ConfigErrors errors;
  const cli::PipelineConfig config = cli::load_pipeline_config(file, sets, &errors);
  const StageRegistry registry = cli::make_stage_catalogue();
  cli::build_pipeline(config, registry, cli::BuildOptions{log_dir}, &errors);
  const json executor_config = cli::resolve_executor_config(config, &errors);
  errors.throw_if_any();
  json document = config.document;
  document["name"] = config.name;
  document["description"] = config.description;
  document["executor"] = {{"type", config.executor.type}, {"config", executor_config}};
  give_log_dir(document, log_dir, registry);
  return document.dump();
}

// Return a pipeline document (Pipeline.run's) with `log_dir` given to every stage that
// takes one and leaves it unset, as `curate run --log-dir` gives it: the RayExecutor's
// readers then append their bad records to the log folder's errors.jsonl.
std::string document_with_log_dir(const std::string& text, const std::string& log_dir) {
  json document = json::parse(text);
  give_log_dir(document, log_dir, cli::make_stage_catalogue());
  return document.dump();
}

// Delete the contents of the output folders of a pipeline file, as `curate run
// --overwrite` does before it runs (ConfigError for a folder that must not go).
void clear_pipeline_outputs(const std::string& file, const std::vector<std::string>& sets,
                            const std::string& log_dir) {
  const cli::PipelineConfig config = cli::load_pipeline_config(file, sets);
  cli::clear_outputs_for_overwrite(config, cli::make_stage_catalogue(), file, log_dir);
}

// Check a workflow file as `curate run` does (ConfigError naming file and line) and return
// its document.
std::string check_workflow_file(const std::string& file) {
  cli::SourceMap map;
  const json document = cli::load_yaml_file(file, &map);
  try {
    cli::workflow_options(document, &map);
  } catch (const cli::ConfigError& error) {
    throw cli::ConfigError(fmt::format("{}: {}", file, error.what()));
  }
  return document.dump();
}

}  // namespace

void bind_cli(nb::module_& m) {
  m.def("run_cli", &run_cli, nb::arg("args"),
        "Run the `curate` command line (without the program name) in this process; return "
        "its exit status.");
  m.def("run_file_executor_type", &run_file_executor_type, nb::arg("file"),
        nb::arg("sets") = std::vector<std::string>{},
        "Return the executor type a pipeline or workflow file names ('' if unreadable).");
  m.def(
      "is_workflow_file", [](const std::string& file) { return cli::is_workflow_file(file); },
      nb::arg("file"), "Return True for a workflow file (a mapping with a `workflow` key).");
  m.def("check_pipeline_file", &check_pipeline_file, nb::arg("file"), nb::arg("sets"),
        nb::arg("log_dir"),
        "Check a pipeline file as `curate run` does; return its resolved document (JSON).");
  m.def("document_with_log_dir", &document_with_log_dir, nb::arg("document"), nb::arg("log_dir"),
        "Return a pipeline document with log_dir given to the stages that take one.");
  m.def("clear_pipeline_outputs", &clear_pipeline_outputs, nb::arg("file"), nb::arg("sets"),
        nb::arg("log_dir"),
        "Delete the contents of a pipeline file's output folders, as `curate run "
        "--overwrite` does.");
  m.def("check_workflow_file", &check_workflow_file, nb::arg("file"),
        "Check a workflow file as `curate run` does; return its document (JSON).");
  m.attr("EXIT_SUCCESS") = cli::kExitSuccess;
  m.attr("EXIT_RUN_FAILED") = cli::kExitRunFailed;
  m.attr("EXIT_USAGE") = cli::kExitUsage;
}

}  // namespace curate::python
