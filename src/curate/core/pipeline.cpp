#include "curate/core/pipeline.hpp"

#include "curate/core/composite_stage.hpp"

#include <fmt/format.h>

#include <set>
#include <stdexcept>

namespace curate {

Pipeline::Pipeline(std::string name, std::vector<StagePtr> stages, std::string description)
    : name_(std::move(name)), description_(std::move(description)), stages_(std::move(stages)) {}

Pipeline& Pipeline::add_stage(StagePtr stage) {
  if (!stage) throw std::invalid_argument(fmt::format("pipeline '{}': null stage", name_));
  stages_.push_back(std::move(stage));
  return *this;
}

std::vector<StagePtr> Pipeline::build() const {
  if (stages_.empty()) {
    throw std::invalid_argument(
        fmt::format("pipeline '{}' has no stages; add at least one", name_));
  }
  std::vector<StagePtr> built;
  for (const auto& stage : stages_) {
    if (const auto* composite = dynamic_cast<const CompositeStage*>(stage.get())) {
      for (auto& part : composite->expand()) built.push_back(std::move(part));
    } else {
      built.push_back(stage);
    }
  }
  // Columns produced so far; once a stage yields data-dependent columns (a reader), any
  // later column requirement may be met by the data, so checking stops there.
  std::set<std::string> available;
  bool open = false;
  for (const auto& stage : built) {
    if (!open) {
      for (const auto& column : stage->inputs().columns) {
        if (!available.contains(column)) {
          throw std::invalid_argument(fmt::format(
              "pipeline '{}': stage '{}' needs column '{}' that no earlier stage produces", name_,
              stage->name(), column));
        }
      }
    }
    const StageIO produced = stage->outputs();
    open |= produced.any_columns;
    available.insert(produced.columns.begin(), produced.columns.end());
  }
  return built;
}

std::string Pipeline::describe() const {
  std::string out = fmt::format("Pipeline '{}'", name_);
  if (!description_.empty()) out += fmt::format(": {}", description_);
  out += '\n';
  const auto stages = build();
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const auto& stage = *stages[i];
    out += fmt::format("  {}. {} [{}, batch_size={}", i + 1, stage.name(),
                       stage.resources().to_string(), stage.batch_size());
    if (stage.num_workers()) out += fmt::format(", num_workers={}", *stage.num_workers());
    const auto spec = stage.stage_spec().to_json();
    if (!spec.empty()) out += fmt::format(", spec={}", spec.dump());
    out += "]\n";
  }
  return out;
}

namespace {

std::vector<TaskPtr> seeds_or_empty(std::optional<std::vector<TaskPtr>> initial_tasks,
                                    const std::string& name) {
  if (initial_tasks) return std::move(*initial_tasks);
  std::vector<TaskPtr> seeds;
  seeds.push_back(std::make_shared<EmptyTask>("empty", name));
  return seeds;
}

}  // namespace

std::vector<TaskPtr> Pipeline::run(Executor& executor,
                                   std::optional<std::vector<TaskPtr>> initial_tasks) const {
  return executor.execute(build(), seeds_or_empty(std::move(initial_tasks), name_));
}

std::vector<TaskPtr> Pipeline::run(Executor& executor,
                                   std::optional<std::vector<TaskPtr>> initial_tasks,
                                   const CancellationToken& cancel) const {
  return executor.execute(build(), seeds_or_empty(std::move(initial_tasks), name_), cancel);
}

}  // namespace curate
