#include "curate/cli/pipeline_config.hpp"

#include "curate/cli/config_error.hpp"
#include "curate/cli/config_errors.hpp"
#include "curate/core/stage_spec.hpp"
#include "curate/core/suggest.hpp"
#include "curate/core/task_ids.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace curate::cli {
namespace {

using nlohmann::json;

const std::vector<std::string> kTopLevelKeys = {"name", "description", "executor", "stages"};
const std::vector<std::string> kExecutorKeys = {"type", "config"};
const std::vector<std::string> kStageKeys = {"stage",      "name",       "params",
                                             "resources",  "batch_size", "num_workers",
                                             "stage_spec", "sub_stages"};
const std::vector<std::string> kSubStageKeys = {"name", "resources", "batch_size", "num_workers",
                                                "stage_spec"};
const std::vector<std::string> kResourceKeys = {"cpus", "gpus", "gpu_memory_gb"};

std::vector<std::string> spec_key_names() {
  std::vector<std::string> names;
  for (auto key :
       {StageSpecKey::IsActorStage, StageSpecKey::IsFanoutStage, StageSpecKey::IsLshStage,
        StageSpecKey::IsRaftActor, StageSpecKey::IsShuffleStage, StageSpecKey::MaxCallsPerWorker,
        StageSpecKey::RayRemoteArgs}) {
    names.emplace_back(to_string(key));
  }
  return names;
}

// Reads one document with the error context (file, line, stage) at hand. Every mistake
// is reported to `errors` and the check goes on with what can still be checked: a value
// of the wrong type is left unset, an entry without `stage:` is marked invalid.
class Reader {
 public:
  Reader(const PipelineConfig& config, ConfigErrors& errors) : config_(config), errors_(errors) {}

  void report(const std::string& pointer, const std::string& context,
              const std::string& message) const {
    errors_.add(config_.sources, pointer,
                fmt::format("{}{}{}", config_.where(pointer), context.empty() ? "" : context + ": ",
                            message));
  }

  // Returns false when a key is not allowed (each one reported).
  bool check_keys(const json& object, const std::vector<std::string>& allowed,
                  const std::string& pointer, const std::string& context,
                  const std::string& what) const {
    bool ok = true;
    for (const auto& [key, value] : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      report(pointer + "/" + pointer_segment(key), context,
             fmt::format("unknown key '{}' in {}{}; valid keys: {}", key, what,
                         did_you_mean(key, allowed), fmt::join(allowed, ", ")));
      ok = false;
    }
    return ok;
  }

  const json& object_at(const json& parent, const std::string& key, const std::string& pointer,
                        const std::string& context) const {
    static const json kEmpty = json::object();
    if (!parent.contains(key) || parent[key].is_null()) return kEmpty;
    const json& value = parent[key];
    if (!value.is_object()) {
      report(pointer + "/" + key, context,
             fmt::format("'{}' must be a mapping, got {}", key, value.dump()));
      return kEmpty;
    }
    return value;
  }

  std::optional<std::string> string_at(const json& parent, const std::string& key,
                                       const std::string& pointer,
                                       const std::string& context) const {
    if (!parent.contains(key) || parent[key].is_null()) return std::nullopt;
    if (!parent[key].is_string()) {
      report(pointer + "/" + key, context,
             fmt::format("'{}' must be a string, got {}", key, parent[key].dump()));
      return std::nullopt;
    }
    return parent[key].get<std::string>();
  }

  std::optional<int> positive_int_at(const json& parent, const std::string& key,
                                     const std::string& pointer, const std::string& context) const {
    if (!parent.contains(key) || parent[key].is_null()) return std::nullopt;
    const json& value = parent[key];
    if (!value.is_number_integer() || value.get<long long>() < 1 ||
        value.get<long long>() > INT32_MAX) {
      report(pointer + "/" + key, context,
             fmt::format("'{}' must be a positive integer, got {}", key, value.dump()));
      return std::nullopt;
    }
    return value.get<int>();
  }

  OverrideSpec overrides(const json& entry, const std::string& pointer,
                         const std::string& context) const {
    OverrideSpec out;
    out.name = string_at(entry, "name", pointer, context);
    out.batch_size = positive_int_at(entry, "batch_size", pointer, context);
    out.num_workers = positive_int_at(entry, "num_workers", pointer, context);
    const json& resources = object_at(entry, "resources", pointer, context);
    const std::string resources_pointer = pointer + "/resources";
    check_keys(resources, kResourceKeys, resources_pointer, context, "resources");
    auto number = [&](const char* key) -> std::optional<double> {
      if (!resources.contains(key) || resources[key].is_null()) return std::nullopt;
      const json& value = resources[key];
      if (!value.is_number() || value.get<double>() < 0.0) {
        report(resources_pointer + "/" + key, context,
               fmt::format("resources.{} must be a number >= 0, got {}", key, value.dump()));
        return std::nullopt;
      }
      return value.get<double>();
    };
    out.cpus = number("cpus");
    out.gpus = number("gpus");
    out.gpu_memory_gb = number("gpu_memory_gb");
    const json& spec = object_at(entry, "stage_spec", pointer, context);
    const std::string spec_pointer = pointer + "/stage_spec";
    if (!check_keys(spec, spec_key_names(), spec_pointer, context, "stage_spec")) return out;
    try {
      StageSpec::from_json(spec, context);
    } catch (const std::invalid_argument& error) {
      report(spec_pointer, context, error.what());
      return out;
    }
    if (!spec.empty()) out.stage_spec = spec;
    return out;
  }

  StageEntry stage_entry(const json& entry, std::size_t index) const {
    const std::string pointer = fmt::format("/stages/{}", index);
    StageEntry out;
    out.index = index;
    out.location = config_.sources.locate(pointer);
    std::string context = fmt::format("stages[{}]", index);
    if (!entry.is_object()) {
      report(pointer, context,
             fmt::format("a stage entry must be a mapping with 'stage: <name>', got {}",
                         entry.dump()));
      out.valid = false;
      return out;
    }
    const auto stage = string_at(entry, "stage", pointer, context);
    if (!stage || stage->empty()) {
      if (!entry.contains("stage") || entry["stage"].is_null() ||
          (entry["stage"].is_string() && entry["stage"].get<std::string>().empty())) {
        report(pointer, context,
               "missing 'stage: <registered stage name>' (run `curate stages` for the list)");
      }
      out.valid = false;  // nothing to build: the rest of the entry cannot be checked
      return out;
    }
    out.stage = *stage;
    context = fmt::format("stages[{}] ({})", index, out.stage);
    check_keys(entry, kStageKeys, pointer, context, "a stage entry");
    out.params = object_at(entry, "params", pointer, context);
    out.overrides = overrides(entry, pointer, context);
    context = out.label();
    const json& sub_stages = object_at(entry, "sub_stages", pointer, context);
    for (const auto& [sub_name, sub_entry] : sub_stages.items()) {
      const std::string sub_pointer = pointer + "/sub_stages/" + pointer_segment(sub_name);
      const std::string sub_context = fmt::format("{} sub-stage '{}'", context, sub_name);
      if (!sub_entry.is_object()) {
        report(sub_pointer, sub_context,
               fmt::format("overrides must be a mapping, got {}", sub_entry.dump()));
        continue;
      }
      check_keys(sub_entry, kSubStageKeys, sub_pointer, sub_context, "sub-stage overrides");
      out.sub_stages.emplace(sub_name, overrides(sub_entry, sub_pointer, sub_context));
    }
    return out;
  }

 private:
  const PipelineConfig& config_;
  ConfigErrors& errors_;
};

}  // namespace

bool OverrideSpec::empty() const {
  return !name && !cpus && !gpus && !gpu_memory_gb && !batch_size && !num_workers &&
         stage_spec.is_null();
}

OverrideSpec OverrideSpec::overlaid_with(const OverrideSpec& other) const {
  OverrideSpec out = *this;
  if (other.name) out.name = other.name;
  if (other.cpus) out.cpus = other.cpus;
  if (other.gpus) out.gpus = other.gpus;
  if (other.gpu_memory_gb) out.gpu_memory_gb = other.gpu_memory_gb;
  if (other.batch_size) out.batch_size = other.batch_size;
  if (other.num_workers) out.num_workers = other.num_workers;
  if (!other.stage_spec.is_null()) {
    if (out.stage_spec.is_null()) out.stage_spec = json::object();
    out.stage_spec.update(other.stage_spec);
  }
  return out;
}

std::string StageEntry::label() const {
  if (overrides.name && *overrides.name != stage) {
    return fmt::format("stages[{}] '{}' ({})", index, *overrides.name, stage);
  }
  return fmt::format("stages[{}] ({})", index, stage);
}

std::string PipelineConfig::where(const std::string& pointer) const {
  return sources.locate(pointer).to_string() + ": ";
}

PipelineConfig load_pipeline_config(const std::filesystem::path& file,
                                    const std::vector<std::string>& sets, ConfigErrors* errors) {
  ConfigErrors local;
  ConfigErrors& sink = errors != nullptr ? *errors : local;
  SourceMap sources;
  json document = load_yaml_file(file, &sources);
  for (const std::string& assignment : sets) {
    if (document.is_null()) document = json::object();
    try {
      apply_set(document, assignment);
    } catch (const ConfigError& error) {
      sink.add(error.what());
    }
  }
  PipelineConfig config =
      parse_pipeline_config(std::move(document), std::move(sources), file, &sink);
  if (errors == nullptr) local.throw_if_any();
  return config;
}

PipelineConfig parse_pipeline_config(json document, SourceMap sources, std::filesystem::path file,
                                     ConfigErrors* errors) {
  ConfigErrors local;
  ConfigErrors& sink = errors != nullptr ? *errors : local;
  PipelineConfig config;
  config.file = std::move(file);
  config.sources = std::move(sources);
  if (config.sources.root_file().empty()) config.sources.set_root_file(config.file);
  config.document = std::move(document);
  config.name = config.file.stem().string();
  Reader reader(config, sink);
  const json& root = config.document;
  if (!root.is_object()) {
    reader.report("", "",
                  "a pipeline file must be a mapping with 'stages:' (and optionally name, "
                  "description, executor)");
  } else {
    reader.check_keys(root, kTopLevelKeys, "", "", "the pipeline file");
    if (const auto name = reader.string_at(root, "name", "", "")) {
      if (name->empty()) {
        reader.report("/name", "", "'name' must not be empty");
      } else {
        config.name = *name;
      }
    }
    config.description = reader.string_at(root, "description", "", "").value_or("");

    const json& executor = reader.object_at(root, "executor", "", "");
    reader.check_keys(executor, kExecutorKeys, "/executor", "executor", "the executor section");
    config.executor.type =
        reader.string_at(executor, "type", "/executor", "executor").value_or("local");
    config.executor.config = reader.object_at(executor, "config", "/executor", "executor");
    config.executor.location = config.sources.locate("/executor");

    if (!root.contains("stages") || !root["stages"].is_array() || root["stages"].empty()) {
      reader.report(root.contains("stages") ? "/stages" : "", "",
                    "'stages' must be a non-empty list of {stage: <name>, params: {...}} entries");
    } else {
      const json& stages = root["stages"];
      for (std::size_t i = 0; i < stages.size(); ++i)
        config.stages.push_back(reader.stage_entry(stages[i], i));
    }
  }
  if (errors == nullptr) local.throw_if_any();
  return config;
}

std::string pipeline_fingerprint(const PipelineConfig& config) {
  json decisive = json::array();
  for (const StageEntry& entry : config.stages) {
    decisive.push_back({{"stage", entry.stage}, {"params", entry.params}});
  }
  return stable_hash_id(decisive.dump());
}

}  // namespace curate::cli
