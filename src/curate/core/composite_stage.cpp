#include "curate/core/composite_stage.hpp"

#include <fmt/format.h>

#include <set>
#include <stdexcept>

namespace curate {

std::shared_ptr<CompositeStage> CompositeStage::with_sub_stages(
    std::map<std::string, StageOverrides> overrides) const {
  auto copy = std::dynamic_pointer_cast<CompositeStage>(clone());
  for (auto& [name, override] : overrides) copy->sub_stage_overrides_[name] = std::move(override);
  return copy;
}

std::vector<StagePtr> CompositeStage::expand() const {
  std::vector<StagePtr> stages = decompose();
  std::set<std::string> names;
  bool repeated = false;
  for (const auto& stage : stages) {
    if (dynamic_cast<const CompositeStage*>(stage.get()) != nullptr) {
      throw std::invalid_argument(fmt::format(
          "composite stage '{}' contains composite stage '{}'; nesting is not supported", name(),
          stage->name()));
    }
    repeated |= !names.insert(stage->name()).second;
  }
  if (sub_stage_overrides_.empty()) return stages;
  if (repeated) {
    throw std::invalid_argument(fmt::format(
        "composite stage '{}' has sub-stages with the same name; overrides would be ambiguous",
        name()));
  }
  for (const auto& [target, override] : sub_stage_overrides_) {
    if (!names.contains(target)) {
      throw std::invalid_argument(
          fmt::format("composite stage '{}' has no sub-stage '{}'", name(), target));
    }
  }
  for (auto& stage : stages) {
    auto it = sub_stage_overrides_.find(stage->name());
    if (it != sub_stage_overrides_.end()) stage = stage->with_(it->second);
  }
  return stages;
}

std::size_t CompositeStage::primary_sub_stage() const {
  const std::size_t count = decompose().size();
  return count == 0 ? 0 : count - 1;
}

std::vector<TaskPtr> CompositeStage::process(TaskPtr) {
  throw std::logic_error(fmt::format(
      "composite stage '{}' cannot process tasks; build the pipeline to decompose it", name()));
}

}  // namespace curate
