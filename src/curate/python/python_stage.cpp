#include "curate/python/python_stage.hpp"

#include "curate/python/interrupt.hpp"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

namespace nb = nanobind;

namespace curate::python {
namespace {

nb::object bridge() { return nb::module_::import_("curate._bridge"); }

std::string python_error_message(const nb::python_error& error) {
  const std::string type = nb::cast<std::string>(nb::handle(error.type()).attr("__name__"));
  const std::string message = nb::cast<std::string>(nb::str(error.value()));
  return message.empty() ? type : fmt::format("{}: {}", type, message);
}

StageIO to_stage_io(const nlohmann::json& columns) {
  StageIO io;
  for (const auto& column : columns) io.columns.push_back(column.get<std::string>());
  return io;
}

nlohmann::json to_json(const WorkerMetadata& worker) {
  nlohmann::json out = {{"worker_id", worker.worker_id}, {"allocation", nullptr}};
  if (worker.allocation) {
    out["allocation"] = {{"cpus", worker.allocation->cpus},
                         {"gpus", worker.allocation->gpus},
                         {"gpu_indices", worker.allocation->gpu_indices}};
  }
  return out;
}

}  // namespace

PythonStage::PythonStage(nb::handle stage)
    : ProcessingStage("python_stage"), stage_(nb::borrow(stage)) {
  nlohmann::json info;
  try {
    info = nlohmann::json::parse(nb::cast<std::string>(bridge().attr("describe_stage")(stage_)));
  } catch (const nb::python_error& error) {
    throw std::invalid_argument(python_error_message(error));
  }
  set_name(info.at("name").get<std::string>());
  Resources resources;
  resources.cpus = info.at("cpus").get<double>();
  resources.gpus = info.at("gpus").get<double>();
  resources.gpu_memory_gb = info.at("gpu_memory_gb").get<double>();
  set_resources(resources);
  set_batch_size(info.at("batch_size").get<int>());
  if (!info.at("num_workers").is_null()) set_num_workers(info.at("num_workers").get<int>());
  inputs_ = to_stage_io(info.at("inputs"));
  outputs_ = to_stage_io(info.at("outputs"));
  spec_ = StageSpec::from_json(info.at("spec"), name());
  sets_up_nodes_ = info.at("sets_up_nodes").get<bool>();
}

PythonStage::PythonStage(const PythonStage& other) = default;

PythonStage::~PythonStage() {
  if (!stage_.is_valid()) return;
  if (!Py_IsInitialized()) {
    stage_.release();  // the interpreter is gone: nothing left to decrement
    return;
  }
  nb::gil_scoped_acquire gil;
  stage_.reset();
}

template <typename... Args>
nb::object PythonStage::call_bridge(const char* function, Args&&... args) const {
  nb::gil_scoped_acquire gil;
  try {
    return bridge().attr(function)(stage_, std::forward<Args>(args)...);
  } catch (const nb::python_error& error) {
    if (error.matches(PyExc_KeyboardInterrupt)) throw RunInterrupted();
    throw std::runtime_error(python_error_message(error));
  }
}

std::vector<TaskPtr> PythonStage::process(TaskPtr task) {
  std::vector<TaskPtr> tasks;
  tasks.push_back(std::move(task));
  return process_batch(std::move(tasks));
}

std::vector<TaskPtr> PythonStage::process_batch(std::vector<TaskPtr> tasks) {
  for (const TaskPtr& task : tasks) validate_input(*task);
  throw_if_interrupted();
  nb::gil_scoped_acquire gil;
  nb::object result = call_bridge("process_batch", std::move(tasks));
  try {
    return nb::cast<std::vector<TaskPtr>>(result);
  } catch (const nb::cast_error&) {
    throw std::runtime_error(fmt::format(
        "stage '{}': process_batch must return a list of tasks (DocumentBatch, ...)", name()));
  }
}

void PythonStage::setup_on_node(const NodeInfo& node, const WorkerMetadata& worker) {
  call_bridge("setup_on_node", node.node_id, to_json(worker).dump());
}

void PythonStage::setup(const WorkerMetadata& worker) {
  call_bridge("setup", to_json(worker).dump());
}

void PythonStage::teardown() { call_bridge("teardown"); }

std::shared_ptr<ProcessingStage> PythonStage::clone() const {
  nb::gil_scoped_acquire gil;
  auto copy = std::shared_ptr<PythonStage>(new PythonStage(*this));
  copy->stage_ = call_bridge("clone");
  return copy;
}

StageRecipe PythonStage::recipe() const {
  throw StageNotDescribable(name(),
                            "it is a Python stage; send the Python stage object itself (pickle) to "
                            "the other process");
}

}  // namespace curate::python
