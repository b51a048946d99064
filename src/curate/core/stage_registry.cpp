#include "curate/core/stage_registry.hpp"

#include "curate/core/suggest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

namespace curate {

StageParams::StageParams(std::string stage_name, nlohmann::json values)
    : stage_name_(std::move(stage_name)),
      values_(values.is_null() ? nlohmann::json::object() : std::move(values)) {
  if (!values_.is_object()) {
    throw std::invalid_argument(fmt::format("stage '{}': parameters must be a mapping, got {}",
                                            stage_name_, values_.dump()));
  }
}

std::vector<std::string> StageParams::unused_keys() const {
  std::vector<std::string> unused;
  for (const auto& [key, value] : values_.items()) {
    if (!used_.contains(key)) unused.push_back(key);
  }
  return unused;
}

void StageRegistry::add(StageRegistration registration) {
  if (entries_.contains(registration.name) || rebuilders_.contains(registration.name)) {
    throw std::invalid_argument(fmt::format("stage '{}' is already registered", registration.name));
  }
  std::string name = registration.name;
  entries_.emplace(std::move(name), std::move(registration));
}

const StageRegistration& StageRegistry::get(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    throw std::invalid_argument(
        fmt::format("unknown stage '{}'{}", name, did_you_mean(name, names())));
  }
  return it->second;
}

StagePtr StageRegistry::create(const std::string& name, const nlohmann::json& params) const {
  const StageRegistration& registration = get(name);
  StageParams stage_params(name, params);
  StagePtr stage = registration.factory(stage_params);
  const auto unused = stage_params.unused_keys();
  if (!unused.empty()) {
    std::vector<std::string> valid;
    for (const auto& param : registration.params) valid.push_back(param.name);
    throw std::invalid_argument(fmt::format("stage '{}': unknown parameter '{}'{}", name,
                                            unused.front(), did_you_mean(unused.front(), valid)));
  }
  remember_recipe(*stage, name, stage_params.values());
  return stage;
}

StageCreation StageRegistry::create_checked(const std::string& name,
                                            const nlohmann::json& params) const {
  const StageRegistration& registration = get(name);
  StageCreation result;
  std::optional<StageParams> stage_params;
  try {
    stage_params.emplace(name, params);
    result.stage = registration.factory(*stage_params);
    if (result.stage) remember_recipe(*result.stage, name, stage_params->values());
  } catch (const std::exception& error) {
    result.errors.emplace_back(error.what());
    if (!stage_params) return result;
  }
  std::vector<std::string> valid;
  for (const auto& param : registration.params) valid.push_back(param.name);
  for (const auto& key : stage_params->unused_keys()) {
    if (!result.stage && std::find(valid.begin(), valid.end(), key) != valid.end()) continue;
    result.errors.push_back(
        fmt::format("stage '{}': unknown parameter '{}'{}", name, key, did_you_mean(key, valid)));
  }
  return result;
}

void StageRegistry::remember_recipe(ProcessingStage& stage, const std::string& name,
                                    const nlohmann::json& params) {
  stage.registry_recipe_ = std::make_shared<const StageRecipe>(StageRecipe{name, params, {}});
}

void StageRegistry::add_rebuilder(std::string name, StageRebuilder rebuilder) {
  if (entries_.contains(name) || rebuilders_.contains(name)) {
    throw std::invalid_argument(fmt::format("stage '{}' is already registered", name));
  }
  rebuilders_.emplace(std::move(name), std::move(rebuilder));
}

StagePtr StageRegistry::rebuild(const StageDescription& description) const {
  const std::string& type = description.recipe.stage;
  StagePtr stage;
  if (const auto it = rebuilders_.find(type); it != rebuilders_.end()) {
    StageParams params(type, description.recipe.params);
    stage = it->second(params, description.recipe.payload);
    const auto unused = params.unused_keys();
    if (!unused.empty()) {
      throw std::invalid_argument(
          fmt::format("stage '{}': unknown parameter '{}' in its description (is the worker "
                      "built from the same curate version as the driver?)",
                      description.name, unused.front()));
    }
  } else if (entries_.contains(type)) {
    if (!description.recipe.payload.empty()) {
      throw std::invalid_argument(fmt::format(
          "stage '{}': the pipeline stage '{}' takes no payload, but its description has {} "
          "bytes of one",
          description.name, type, description.recipe.payload.size()));
    }
    stage = create(type, description.recipe.params);
  } else {
    std::vector<std::string> known = names();
    for (const auto& [name, rebuilder] : rebuilders_) known.push_back(name);
    throw std::invalid_argument(
        fmt::format("stage '{}': no stage type '{}' is registered to rebuild it from{}; the "
                    "worker process must register the same stages as the driver",
                    description.name, type, did_you_mean(type, known)));
  }
  if (!stage) {
    throw std::invalid_argument(
        fmt::format("stage '{}': the factory of '{}' returned no stage", description.name, type));
  }
  stage->set_name(description.name);
  stage->set_resources(description.resources);
  stage->set_batch_size(description.batch_size);
  stage->set_num_workers(description.num_workers);
  stage->spec_overrides_ = description.spec_overrides;
  return stage;
}

StagePtr StageRegistry::rebuild(std::string_view description_bytes) const {
  return rebuild(StageDescription::from_bytes(description_bytes));
}

std::vector<std::string> StageRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, registration] : entries_) out.push_back(name);
  return out;
}

}  // namespace curate
