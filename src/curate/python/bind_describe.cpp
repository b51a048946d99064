// Stages as descriptions for other processes (the issue rule: work that crosses processes
// is a stage's registry name and parameters, never a closure): NativeStage pickles as its
// StageDescription bytes, counters travel back as JSON, and a list of NativeStage runs on
// the C++ LocalExecutor (the in-process half a Python executor's workers use).
#include "curate/backends/local/local_executor.hpp"
#include "curate/cli/stage_catalogue.hpp"
#include "curate/core/processing_stage.hpp"
#include "curate/core/stage_registry.hpp"
#include "curate/python/bindings.hpp"

#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>
#include <nlohmann/json.hpp>

#include <string>

namespace nb = nanobind;

namespace curate::python {
namespace {

// Every stage a description can name: the pipeline catalogue and the rebuilders the
// layers add to it (the workflows' stages). Built once per process, read-only after.
const StageRegistry& rebuild_registry() {
  static const StageRegistry registry = cli::make_stage_catalogue();
  return registry;
}

nb::bytes to_py_bytes(const std::string& bytes) { return nb::bytes(bytes.data(), bytes.size()); }

StagePtr stage_from_bytes(nb::bytes data) {
  const std::string bytes(data.c_str(), data.size());
  nb::gil_scoped_release release;
  return rebuild_registry().rebuild(bytes);
}

std::string description_bytes(const ProcessingStage& stage) {
  nb::gil_scoped_release release;
  return stage.describe().to_bytes();
}

std::vector<TaskPtr> run_native_stages(const std::vector<StagePtr>& stages,
                                       std::vector<TaskPtr> initial_tasks,
                                       const std::string& config_json) {
  const nlohmann::json config = nlohmann::json::parse(config_json);
  nb::gil_scoped_release release;
  backends::LocalExecutor executor(config);
  return executor.execute(stages, std::move(initial_tasks));
}

}  // namespace

void add_stage_description_methods(nb::class_<ProcessingStage>& cls) {
  cls.def(
         "description_bytes",
         [](const ProcessingStage& stage) { return to_py_bytes(description_bytes(stage)); },
         "Return the stage as StageDescription bytes (registry name, parameters, payload, "
         "and the name/resources/batch_size/num_workers/spec it has now). Raises ValueError "
         "\"stage 'x' cannot run in another process: ...\" for a stage that has none.")
      .def(
          "describe",
          [](const ProcessingStage& stage) {
            const StageRecipe recipe = stage.recipe();
            return nb::make_tuple(recipe.stage, recipe.params.dump(), to_py_bytes(recipe.payload));
          },
          "Return (registry name, parameters as JSON, payload bytes) of the stage's recipe.")
      .def(
          "__reduce__",
          [](const ProcessingStage& stage) {
            // A module-level Python function, so unpickling finds it by its import path in
            // any process that has the curate package.
            nb::object loader =
                nb::module_::import_("curate._native").attr("native_stage_from_bytes");
            return nb::make_tuple(loader, nb::make_tuple(to_py_bytes(description_bytes(stage))));
          },
          "Pickle as the stage's description: the unpickled stage is rebuilt with fresh state "
          "and fresh counters (its payload, such as a CandidateIndex, travels with it).")
      .def(
          "counters", [](const ProcessingStage& stage) { return stage.counters().dump(); },
          "Return this instance's counters as a JSON object string (a worker sends them back "
          "at teardown).")
      .def(
          "merge_counters",
          [](ProcessingStage& stage, const std::string& counters) {
            stage.merge_counters(nlohmann::json::parse(counters));
          },
          nb::arg("counters"),
          "Add a worker instance's counters() (JSON string) into this stage's: call it on the "
          "driver's stage once per worker instance.");
}

void bind_describe(nb::module_& m) {
  m.def("stage_from_bytes", &stage_from_bytes, nb::arg("data"),
        "Rebuild a NativeStage from NativeStage.description_bytes() (fresh state and "
        "counters).");
  m.def("run_native_stages", &run_native_stages, nb::arg("stages"), nb::arg("initial_tasks"),
        nb::arg("config_json") = "{}",
        "Run built stages on the C++ LocalExecutor without the GIL and return the last "
        "stage's outputs; config_json is the LocalExecutor's config (num_cpus...).");
}

}  // namespace curate::python
