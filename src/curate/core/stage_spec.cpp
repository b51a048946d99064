#include "curate/core/stage_spec.hpp"

#include <fmt/format.h>

#include <array>
#include <stdexcept>
#include <utility>

namespace curate {
namespace {

constexpr std::array<std::pair<StageSpecKey, std::string_view>, 7> kKeyNames{{
    {StageSpecKey::IsActorStage, "is_actor_stage"},
    {StageSpecKey::IsFanoutStage, "is_fanout_stage"},
    {StageSpecKey::IsLshStage, "is_lsh_stage"},
    {StageSpecKey::IsRaftActor, "is_raft_actor"},
    {StageSpecKey::IsShuffleStage, "is_shuffle_stage"},
    {StageSpecKey::MaxCallsPerWorker, "max_calls_per_worker"},
    {StageSpecKey::RayRemoteArgs, "ray_remote_args"},
}};

void check_value_type(StageSpecKey key, const nlohmann::json& value, std::string_view stage) {
  bool ok = true;
  switch (key) {
    case StageSpecKey::MaxCallsPerWorker:
      ok = value.is_null() || (value.is_number_integer() && value.get<long long>() > 0);
      break;
    case StageSpecKey::RayRemoteArgs:
      ok = value.is_null() || value.is_object();
      break;
    default:
      ok = value.is_boolean();
      break;
  }
  if (!ok) {
    throw std::invalid_argument(
        fmt::format("stage '{}': stage spec key '{}' has invalid value {} (expected {})", stage,
                    to_string(key), value.dump(),
                    key == StageSpecKey::MaxCallsPerWorker ? "a positive integer"
                    : key == StageSpecKey::RayRemoteArgs   ? "an object"
                                                           : "true or false"));
  }
}

}  // namespace

std::string_view to_string(StageSpecKey key) {
  for (const auto& [candidate, name] : kKeyNames) {
    if (candidate == key) return name;
  }
  return "unknown";
}

std::optional<StageSpecKey> stage_spec_key_from_string(std::string_view text) {
  for (const auto& [key, name] : kKeyNames) {
    if (name == text) return key;
  }
  return std::nullopt;
}

StageSpec StageSpec::from_json(const nlohmann::json& object, std::string_view stage_name) {
  StageSpec spec;
  if (object.is_null()) return spec;
  if (!object.is_object()) {
    throw std::invalid_argument(
        fmt::format("stage '{}': stage spec must be an object, got {}", stage_name, object.dump()));
  }
  for (const auto& [name, value] : object.items()) {
    const auto key = stage_spec_key_from_string(name);
    if (!key) {
      throw std::invalid_argument(
          fmt::format("stage '{}': unknown stage spec key '{}'", stage_name, name));
    }
    check_value_type(*key, value, stage_name);
    spec.set(*key, value);
  }
  return spec;
}

nlohmann::json StageSpec::to_json() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : values_) out[std::string(to_string(key))] = value;
  return out;
}

void StageSpec::update(const StageSpec& other) {
  for (const auto& [key, value] : other.values_) values_[key] = value;
}

bool StageSpec::flag(StageSpecKey key) const {
  auto it = values_.find(key);
  return it != values_.end() && it->second.is_boolean() && it->second.get<bool>();
}

std::optional<int> StageSpec::max_calls_per_worker() const {
  auto it = values_.find(StageSpecKey::MaxCallsPerWorker);
  if (it == values_.end() || !it->second.is_number_integer()) return std::nullopt;
  return it->second.get<int>();
}

nlohmann::json StageSpec::ray_remote_args() const {
  auto it = values_.find(StageSpecKey::RayRemoteArgs);
  if (it == values_.end() || !it->second.is_object()) return nlohmann::json::object();
  return it->second;
}

}  // namespace curate
