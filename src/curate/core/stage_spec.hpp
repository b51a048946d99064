#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace curate {

/// The keys of a stage's execution spec; string values kept from NeMo Curator's
/// `RayStageSpecKeys`. DESIGN.md defines what each means in curate.
enum class StageSpecKey {
  IsActorStage,
  IsFanoutStage,
  IsLshStage,
  IsRaftActor,
  IsShuffleStage,
  MaxCallsPerWorker,
  RayRemoteArgs
};

/// Return the key's exact string ("is_actor_stage", ...).
std::string_view to_string(StageSpecKey key);
/// Return the key for an exact string, or nullopt for anything else.
std::optional<StageSpecKey> stage_spec_key_from_string(std::string_view text);

/// A stage's execution spec: a map from key to JSON value, with typed accessors.
/// Built by `ProcessingStage::ray_stage_spec()` and by YAML overrides; read by executors.
class StageSpec {
 public:
  StageSpec() = default;

  /// Build from a JSON object of string keys. Throws std::invalid_argument naming the key
  /// and `stage_name` for an unknown key or a value of the wrong type.
  static StageSpec from_json(const nlohmann::json& object, std::string_view stage_name);
  nlohmann::json to_json() const;

  void set(StageSpecKey key, nlohmann::json value) { values_[key] = std::move(value); }
  bool contains(StageSpecKey key) const { return values_.contains(key); }
  const std::map<StageSpecKey, nlohmann::json>& values() const { return values_; }
  /// Overlay `other`'s keys on this spec (other wins), as `with_` does.
  void update(const StageSpec& other);

  bool is_actor_stage() const { return flag(StageSpecKey::IsActorStage); }
  bool is_fanout_stage() const { return flag(StageSpecKey::IsFanoutStage); }
  bool is_lsh_stage() const { return flag(StageSpecKey::IsLshStage); }
  bool is_raft_actor() const { return flag(StageSpecKey::IsRaftActor); }
  bool is_shuffle_stage() const { return flag(StageSpecKey::IsShuffleStage); }
  /// Return the call limit after which a worker instance is replaced, if any.
  std::optional<int> max_calls_per_worker() const;
  /// Return the per-stage executor options (an object; empty when unset).
  nlohmann::json ray_remote_args() const;

 private:
  bool flag(StageSpecKey key) const;
  std::map<StageSpecKey, nlohmann::json> values_;
};

}  // namespace curate
