#pragma once

#include "curate/core/resources.hpp"
#include "curate/core/stage_spec.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace curate {

/// What a stage's own class needs to be built again: the name of a StageRegistry entry,
/// the JSON parameters its factory reads, and an optional opaque payload for bulky state
/// built on the driver (a CandidateIndex). Returned by `ProcessingStage::recipe()`.
struct StageRecipe {
  std::string stage;                                 ///< registry name ("minhash", ...)
  nlohmann::json params = nlohmann::json::object();  ///< what the factory reads
  std::string payload;                               ///< binary state; empty: none
};

/// A built stage as plain data, the form in which work crosses processes (the issue
/// rule: "a stage's registry name and parameters, never a closure"): the recipe plus the
/// fields every ProcessingStage has and `with_` can override (name, resources,
/// batch_size, num_workers, the stage-spec overrides), kept here generically so no stage
/// has to describe them. Made by `ProcessingStage::describe()`, turned back into a stage
/// by `StageRegistry::rebuild` in any process that registered the same stages.
///
/// Contract for executors that run stages in other processes (Ray actors, ...):
/// 1. on the driver, `stage->describe().to_bytes()` once per stage (it may be large:
///    it holds the payload), shipped to every worker;
/// 2. in a worker, `registry.rebuild(bytes)` gives an instance with fresh state and
///    fresh counters (nothing is shared with the driver's stage);
/// 3. at the worker's teardown, `instance->counters()` (a JSON object) is sent back and
///    the driver calls `stage->merge_counters(json)` on the stage it described, once
///    per worker instance; the driver's results then equal an in-process run's.
struct StageDescription {
  StageRecipe recipe;
  std::string name;  ///< the stage's name, after `with_`
  Resources resources;
  int batch_size = 1;
  std::optional<int> num_workers;
  StageSpec spec_overrides;  ///< the `with_` overlay only; the class supplies the rest

  /// Return the description as bytes: a magic prefix, the JSON header, the payload.
  std::string to_bytes() const;
  /// Parse what `to_bytes` wrote; throws std::invalid_argument for anything else.
  static StageDescription from_bytes(std::string_view bytes);
  /// Return everything but the payload as JSON (for logs and errors; its size is kept).
  nlohmann::json to_json() const;
};

/// Thrown by `ProcessingStage::describe()` for a stage that cannot be rebuilt elsewhere:
/// "stage 'x' cannot run in another process: <reason>".
class StageNotDescribable : public std::invalid_argument {
 public:
  StageNotDescribable(const std::string& stage_name, const std::string& reason);
};

}  // namespace curate
