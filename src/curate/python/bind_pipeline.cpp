#include "curate/backends/local/local_executor.hpp"
#include "curate/cli/pipeline_builder.hpp"
#include "curate/cli/stage_catalogue.hpp"
#include "curate/python/bindings.hpp"
#include "curate/python/interrupt.hpp"
#include "curate/python/python_log_sink.hpp"
#include "curate/python/stage_factory.hpp"
#include "curate/text/filter_registry.hpp"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace nb = nanobind;

namespace curate::python {
namespace {

nlohmann::json params_to_json(const std::vector<StageParamInfo>& params) {
  nlohmann::json out = nlohmann::json::array();
  for (const StageParamInfo& param : params) {
    out.push_back({{"name", param.name}, {"default", param.default_value}, {"help", param.help}});
  }
  return out;
}

std::string stage_catalogue() {
  const StageRegistry registry = cli::make_stage_catalogue();
  nlohmann::json out = nlohmann::json::object();
  for (const std::string& name : registry.names()) {
    const StageRegistration& entry = registry.get(name);
    out[name] = {{"summary", entry.summary}, {"params", params_to_json(entry.params)}};
  }
  return out.dump();
}

std::string filter_catalogue() {
  const text::FilterRegistry& registry = text::builtin_filters();
  nlohmann::json out = nlohmann::json::object();
  for (const std::string& name : registry.names()) {
    const text::FilterRegistration& entry = registry.get(name);
    out[name] = {{"summary", entry.summary}, {"params", params_to_json(entry.params)}};
  }
  return out.dump();
}

std::string describe(const std::string& document, nb::list python_stages) {
  const cli::PipelineConfig config = parse_document(document);
  const StageRegistry registry = make_registry(python_stages);
  const Pipeline pipeline = cli::build_pipeline(config, registry);
  return cli::describe_pipeline(config, pipeline);
}

// The check goes right after the first stage that is no fan-out (file partitioning and
// the JSONL reader are fan-outs), so it sees every batch read; after, not before, so that
// when the executor fuses the two, the worker (and its log records) keeps that stage's
// name. Before it when it is the last stage (a writer): the check is then still there.
void insert_interrupt_check(std::vector<StagePtr>& stages) {
  for (std::size_t i = 1; i < stages.size(); ++i) {
    if (stages[i]->stage_spec().is_fanout_stage()) continue;
    const std::size_t at = i + 1 < stages.size() ? i + 1 : i;
    stages.insert(stages.begin() + static_cast<std::ptrdiff_t>(at),
                  std::make_shared<InterruptCheckStage>());
    return;
  }
}

// Runs `execute` on a thread of its own while this (the driver) thread waits without the
// GIL, waking every 50 ms to let Python see a pending Ctrl-C: Python runs signal handlers
// only on the main thread and only with the GIL.
std::vector<TaskPtr> execute_interruptibly(Executor& executor, const std::vector<StagePtr>& stages,
                                           std::vector<TaskPtr> initial) {
  std::vector<TaskPtr> outputs;
  std::exception_ptr error;
  {
    nb::gil_scoped_release release;
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::thread runner([&] {
      try {
        outputs = executor.execute(stages, std::move(initial));
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard lock(mutex);
      done = true;
      finished.notify_all();
    });
    while (true) {
      {
        std::unique_lock lock(mutex);
        if (finished.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; })) break;
      }
      nb::gil_scoped_acquire gil;
      if (PyErr_CheckSignals() != 0) {
        PyErr_Clear();
        set_interrupted(true);
      }
    }
    runner.join();
  }
  if (interrupted()) {
    set_interrupted(false);
    PyErr_SetString(PyExc_KeyboardInterrupt, "the run was interrupted; every stage was torn down");
    throw nb::python_error();
  }
  if (error) std::rethrow_exception(error);
  return outputs;
}

std::vector<TaskPtr> run(const std::string& document, nb::list python_stages,
                         std::optional<std::vector<TaskPtr>> initial_tasks) {
  const cli::PipelineConfig config = parse_document(document);
  const StageRegistry registry = make_registry(python_stages);
  const Pipeline pipeline = cli::build_pipeline(config, registry);
  cli::ExecutorHandle handle = cli::make_executor(config);
  std::vector<StagePtr> stages = pipeline.build();
  insert_interrupt_check(stages);
  std::vector<TaskPtr> initial;
  if (initial_tasks) {
    initial = std::move(*initial_tasks);
  } else {
    initial.push_back(std::make_shared<EmptyTask>());
  }
  set_interrupted(false);
  PythonLogScope logs;
  return execute_interruptibly(*handle.executor, stages, std::move(initial));
}

}  // namespace

void bind_pipeline(nb::module_& m) {
  m.def("stage_catalogue", &stage_catalogue,
        "Return the registered stages with their parameters, as JSON.");
  m.def("filter_catalogue", &filter_catalogue,
        "Return the built-in filters with their parameters, as JSON.");
  m.def("describe_pipeline", &describe, nb::arg("document"), nb::arg("python_stages"),
        "Build a pipeline document and return `curate describe`'s text.");
  m.def("run_pipeline", &run, nb::arg("document"), nb::arg("python_stages"),
        nb::arg("initial_tasks") = nb::none(),
        "Build a pipeline document and run it on the LocalExecutor without the GIL; return "
        "the last stage's outputs.");
  m.def("executor_config_keys", [] { return backends::LocalExecutor::config_keys(); });
}

}  // namespace curate::python
