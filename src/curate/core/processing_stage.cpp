#include "curate/core/processing_stage.hpp"

#include "curate/core/document_batch.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace curate {

ProcessingStage::ProcessingStage(std::string name, Resources resources, int batch_size)
    : name_(std::move(name)) {
  set_resources(resources);
  set_batch_size(batch_size);
}

void ProcessingStage::set_resources(Resources resources) {
  try {
    resources.validate();
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(fmt::format("stage '{}': {}", name_, error.what()));
  }
  resources_ = resources;
}

void ProcessingStage::set_batch_size(int batch_size) {
  if (batch_size < 1) {
    throw std::invalid_argument(
        fmt::format("stage '{}': batch_size must be at least 1, got {}", name_, batch_size));
  }
  batch_size_ = batch_size;
}

void ProcessingStage::set_num_workers(std::optional<int> num_workers) {
  if (num_workers && *num_workers < 1) {
    throw std::invalid_argument(
        fmt::format("stage '{}': num_workers must be at least 1, got {}", name_, *num_workers));
  }
  num_workers_ = num_workers;
}

void ProcessingStage::validate_input(const Task& task) const {
  const StageIO needed = inputs();
  if (needed.columns.empty()) return;
  const auto* batch = dynamic_cast<const DocumentBatch*>(&task);
  if (batch == nullptr) {
    throw std::invalid_argument(
        fmt::format("stage '{}' needs a DocumentBatch but task '{}' is a {}", name_, task.task_id(),
                    task.type_name()));
  }
  for (const auto& column : needed.columns) {
    if (!batch->has_column(column)) {
      throw std::invalid_argument(fmt::format("stage '{}' needs column '{}' missing from task '{}'",
                                              name_, column, task.task_id()));
    }
  }
}

std::vector<TaskPtr> ProcessingStage::process_batch(std::vector<TaskPtr> tasks) {
  std::vector<TaskPtr> outputs;
  outputs.reserve(tasks.size());
  for (auto& task : tasks) {
    validate_input(*task);
    for (auto& output : process(std::move(task))) {
      if (output) outputs.push_back(std::move(output));
    }
  }
  return outputs;
}

void ProcessingStage::process_stream(TaskPtr task, const OutputSink& emit) {
  validate_input(*task);
  for (auto& output : process(std::move(task))) {
    if (output && !emit(std::move(output))) return;
  }
}

void ProcessingStage::setup_on_node(const NodeInfo&, const WorkerMetadata&) {}
void ProcessingStage::setup(const WorkerMetadata&) {}
void ProcessingStage::teardown() {}

StageSpec ProcessingStage::stage_spec() const {
  StageSpec spec = ray_stage_spec();
  spec.update(spec_overrides_);
  return spec;
}

void ProcessingStage::apply(const StageOverrides& overrides) {
  if (overrides.name) set_name(*overrides.name);
  if (overrides.resources) set_resources(*overrides.resources);
  if (overrides.batch_size) set_batch_size(*overrides.batch_size);
  if (overrides.num_workers) set_num_workers(overrides.num_workers);
  if (overrides.stage_spec) spec_overrides_.update(*overrides.stage_spec);
}

std::shared_ptr<ProcessingStage> ProcessingStage::with_(const StageOverrides& overrides) const {
  std::shared_ptr<ProcessingStage> copy = clone();
  copy->apply(overrides);
  return copy;
}

StageRecipe ProcessingStage::recipe() const {
  if (registry_recipe_) return *registry_recipe_;
  throw StageNotDescribable(name_,
                            "it was built in code and its class has no recipe() (a registry "
                            "name and parameters); run it with an in-process executor such as "
                            "the LocalExecutor, or give the class a recipe() and a registry "
                            "entry");
}

StageDescription ProcessingStage::describe() const {
  StageDescription out;
  out.recipe = recipe();
  out.name = name_;
  out.resources = resources_;
  out.batch_size = batch_size_;
  out.num_workers = num_workers_;
  out.spec_overrides = spec_overrides_;
  return out;
}

nlohmann::json ProcessingStage::counters() const { return nlohmann::json::object(); }

void ProcessingStage::merge_counters(const nlohmann::json& counters) {
  if (counters.is_null() || (counters.is_object() && counters.empty())) return;
  throw std::invalid_argument(fmt::format("stage '{}' keeps no counters but was asked to merge {}",
                                          name_, counters.dump()));
}

}  // namespace curate
