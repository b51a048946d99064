#pragma once

#include "curate/core/processing_stage.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace curate {

/// Describe one parameter a registered stage accepts, for errors and `curate describe`.
struct StageParamInfo {
  std::string name;
  nlohmann::json default_value;  ///< null when the parameter is required
  std::string help;
};

/// The parameters given to a stage factory (a JSON object from YAML). Reading a key
/// marks it used; `StageRegistry::create` rejects keys the factory never read, so every
/// typo in a pipeline file is an error that names the stage and the closest parameter.
class StageParams {
 public:
  StageParams(std::string stage_name, nlohmann::json values);

  /// Return the value of `key` converted to T, or `fallback` when absent. Throws
  /// std::invalid_argument naming stage and key when the value has the wrong type.
  template <typename T>
  T get(const std::string& key, T fallback) {
    used_.insert(key);
    auto it = values_.find(key);
    if (it == values_.end() || it->is_null()) return fallback;
    return convert<T>(key, *it);
  }
  /// Return the value of `key`; throws std::invalid_argument when absent.
  template <typename T>
  T require(const std::string& key) {
    used_.insert(key);
    auto it = values_.find(key);
    if (it == values_.end() || it->is_null()) {
      throw std::invalid_argument("stage '" + stage_name_ + "': missing required parameter '" +
                                  key + "'");
    }
    return convert<T>(key, *it);
  }
  bool contains(const std::string& key) const { return values_.contains(key); }
  const std::string& stage_name() const { return stage_name_; }
  const nlohmann::json& values() const { return values_; }
  /// Return the keys given but never read.
  std::vector<std::string> unused_keys() const;

 private:
  template <typename T>
  T convert(const std::string& key, const nlohmann::json& value) const {
    try {
      return value.get<T>();
    } catch (const nlohmann::json::exception&) {
      throw std::invalid_argument("stage '" + stage_name_ + "': parameter '" + key +
                                  "' has the wrong type (got " + value.dump() + ")");
    }
  }

  std::string stage_name_;
  nlohmann::json values_;
  std::set<std::string> used_;
};

/// Build a stage from parameters. Called by `StageRegistry::create`, from one thread.
using StageFactory = std::function<StagePtr(StageParams&)>;

/// Build a stage again from its recipe's parameters and payload (see StageRecipe), for a
/// stage type the workflows build in code. Called by `StageRegistry::rebuild`, from the
/// thread that rebuilds; the stage it returns must own fresh state and fresh counters.
using StageRebuilder = std::function<StagePtr(StageParams&, std::string_view payload)>;

/// A registered stage type: its YAML name, a one-line summary and its parameters.
struct StageRegistration {
  std::string name;
  std::string summary;
  std::vector<StageParamInfo> params;
  StageFactory factory;
};

/// What `StageRegistry::create_checked` found: the stage, and every problem with the
/// parameters it was given.
struct StageCreation {
  StagePtr stage;                   ///< null when the factory threw
  std::vector<std::string> errors;  ///< "stage 'x': ..." messages, the factory's first
};

/// Map stage names (as written in pipeline YAML) to factories. Layers register their
/// stages explicitly (`register_io_stages(registry)`...), so nothing depends on static
/// initialisation order. Registration happens before use; lookups are read-only.
///
/// The same registry rebuilds described stages in other processes (`rebuild`), so there
/// is one name -> factory map, not two: a stage made by `create` remembers its name and
/// parameters and is describable without code of its own; stage types that only the
/// workflows build in code (MinHash, LSH...) are added with `add_rebuilder` and are
/// neither listed by `names()` nor accepted in pipeline YAML.
class StageRegistry {
 public:
  /// Add a stage type; throws std::invalid_argument when the name is taken.
  void add(StageRegistration registration);
  bool contains(const std::string& name) const { return entries_.contains(name); }
  /// Return the registration of `name`; throws std::invalid_argument naming the closest
  /// registered names when unknown.
  const StageRegistration& get(const std::string& name) const;
  /// Create a stage: look it up, call its factory, then reject unused parameters with
  /// the closest valid names.
  StagePtr create(const std::string& name, const nlohmann::json& params) const;
  /// Create a stage as `create` does, but return every problem instead of throwing the
  /// first: the factory's error (then the stage is null) and one error per unknown
  /// parameter, with the closest valid names. When the factory threw, only keys it had
  /// not read and the registration does not declare count as unknown (it may have
  /// thrown before it read the others). Throws std::invalid_argument for an unknown name.
  StageCreation create_checked(const std::string& name, const nlohmann::json& params) const;
  /// Return all registered names, sorted.
  std::vector<std::string> names() const;

  /// Add a stage type that only `rebuild` makes; throws std::invalid_argument when the
  /// name is taken by a YAML stage or another rebuilder.
  void add_rebuilder(std::string name, StageRebuilder rebuilder);
  /// Build the stage `description` describes: its recipe through the rebuilder or the
  /// YAML factory of that name (unknown parameters are errors, as in `create`), then
  /// its name, resources, batch size, worker count and spec overrides as described.
  /// The result shares nothing with the stage that was described. Throws
  /// std::invalid_argument naming the stage for an unknown type or bad parameters.
  /// Read-only: any thread.
  StagePtr rebuild(const StageDescription& description) const;
  /// Rebuild from `StageDescription::to_bytes()`.
  StagePtr rebuild(std::string_view description_bytes) const;

 private:
  static void remember_recipe(ProcessingStage& stage, const std::string& name,
                              const nlohmann::json& params);

  std::map<std::string, StageRegistration> entries_;
  std::map<std::string, StageRebuilder, std::less<>> rebuilders_;
};

}  // namespace curate
