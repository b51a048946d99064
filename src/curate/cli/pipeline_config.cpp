#include "curate/cli/pipeline_config.hpp"

#include "curate/cli/config_error.hpp"
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

// Reads one document with the error context (file, line, stage) at hand.
class Reader {
 public:
  explicit Reader(const PipelineConfig& config) : config_(config) {}

  [[noreturn]] void fail(const std::string& pointer, const std::string& context,
                         const std::string& message) const {
    throw ConfigError(fmt::format("{}{}{}", config_.where(pointer),
                                  context.empty() ? "" : context + ": ", message));
  }

  void check_keys(const json& object, const std::vector<std::string>& allowed,
                  const std::string& pointer, const std::string& context,
                  const std::string& what) const {
    for (const auto& [key, value] : object.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      fail(pointer + "/" + pointer_segment(key), context,
           fmt::format("unknown key '{}' in {}{}; valid keys: {}", key, what,
                       did_you_mean(key, allowed), fmt::join(allowed, ", ")));
    }
  }

  const json& object_at(const json& parent, const std::string& key, const std::string& pointer,
                        const std::string& context) const {
    static const json kEmpty = json::object();
    if (!parent.contains(key) || parent[key].is_null()) return kEmpty;
    const json& value = parent[key];
    if (!value.is_object()) {
      fail(pointer + "/" + key, context,
           fmt::format("'{}' must be a mapping, got {}", key, value.dump()));
    }
    return value;
  }

  std::optional<std::string> string_at(const json& parent, const std::string& key,
                                       const std::string& pointer,
                                       const std::string& context) const {
    if (!parent.contains(key) || parent[key].is_null()) return std::nullopt;
    if (!parent[key].is_string()) {
      fail(pointer + "/" + key, context,
           fmt::format("'{}' must be a string, got {}", key, parent[key].dump()));
    }
    return parent[key].get<std::string>();
  }

  std::optional<int> positive_int_at(const json& parent, const std::string& key,
                                     const std::string& pointer, const std::string& context) const {
    if (!parent.contains(key) || parent[key].is_null()) return std::nullopt;
    const json& value = parent[key];
    if (!value.is_number_integer() || value.get<long long>() < 1 ||
        value.get<long long>() > INT32_MAX) {
      fail(pointer + "/" + key, context,
           fmt::format("'{}' must be a positive integer, got {}", key, value.dump()));
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
        fail(resources_pointer + "/" + key, context,
             fmt::format("resources.{} must be a number >= 0, got {}", key, value.dump()));
      }
      return value.get<double>();
    };
    out.cpus = number("cpus");
    out.gpus = number("gpus");
    out.gpu_memory_gb = number("gpu_memory_gb");
    const json& spec = object_at(entry, "stage_spec", pointer, context);
    const std::string spec_pointer = pointer + "/stage_spec";
    check_keys(spec, spec_key_names(), spec_pointer, context, "stage_spec");
    try {
      StageSpec::from_json(spec, context);
    } catch (const std::invalid_argument& error) {
      fail(spec_pointer, context, error.what());
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
      fail(pointer, context,
           fmt::format("a stage entry must be a mapping with 'stage: <name>', got {}",
                       entry.dump()));
    }
    const auto stage = string_at(entry, "stage", pointer, context);
    if (!stage || stage->empty()) {
      fail(pointer, context,
           "missing 'stage: <registered stage name>' (run `curate stages` for the list)");
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
        fail(sub_pointer, sub_context,
             fmt::format("overrides must be a mapping, got {}", sub_entry.dump()));
      }
      check_keys(sub_entry, kSubStageKeys, sub_pointer, sub_context, "sub-stage overrides");
      out.sub_stages.emplace(sub_name, overrides(sub_entry, sub_pointer, sub_context));
    }
    return out;
  }

 private:
  const PipelineConfig& config_;
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
                                    const std::vector<std::string>& sets) {
  SourceMap sources;
  json document = load_yaml_file(file, &sources);
  for (const std::string& assignment : sets) {
    if (document.is_null()) document = json::object();
    apply_set(document, assignment);
  }
  return parse_pipeline_config(std::move(document), std::move(sources), file);
}

PipelineConfig parse_pipeline_config(json document, SourceMap sources, std::filesystem::path file) {
  PipelineConfig config;
  config.file = std::move(file);
  config.sources = std::move(sources);
  if (config.sources.root_file().empty()) config.sources.set_root_file(config.file);
  config.document = std::move(document);
  Reader reader(config);
  const json& root = config.document;
  if (!root.is_object()) {
    reader.fail("", "",
                "a pipeline file must be a mapping with 'stages:' (and optionally name, "
                "description, executor)");
  }
  reader.check_keys(root, kTopLevelKeys, "", "", "the pipeline file");
  config.name = reader.string_at(root, "name", "", "").value_or(config.file.stem().string());
  if (config.name.empty()) reader.fail("/name", "", "'name' must not be empty");
  config.description = reader.string_at(root, "description", "", "").value_or("");

  const json& executor = reader.object_at(root, "executor", "", "");
  reader.check_keys(executor, kExecutorKeys, "/executor", "executor", "the executor section");
  config.executor.type =
      reader.string_at(executor, "type", "/executor", "executor").value_or("local");
  config.executor.config = reader.object_at(executor, "config", "/executor", "executor");
  config.executor.location = config.sources.locate("/executor");

  if (!root.contains("stages") || !root["stages"].is_array() || root["stages"].empty()) {
    reader.fail(root.contains("stages") ? "/stages" : "", "",
                "'stages' must be a non-empty list of {stage: <name>, params: {...}} entries");
  }
  const json& stages = root["stages"];
  for (std::size_t i = 0; i < stages.size(); ++i)
    config.stages.push_back(reader.stage_entry(stages[i], i));
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
