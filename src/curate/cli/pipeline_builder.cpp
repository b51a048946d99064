#include "curate/cli/pipeline_builder.hpp"

#include "curate/backends/local/local_executor.hpp"
#include "curate/backends/logging.hpp"
#include "curate/backends/mpi/mpi_executor.hpp"
#include "curate/backends/mpi/mpi_session.hpp"
#include "curate/backends/utils.hpp"
#include "curate/cli/config_error.hpp"
#include "curate/cli/config_errors.hpp"
#include "curate/core/composite_stage.hpp"
#include "curate/core/suggest.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace curate::cli {
namespace {

using nlohmann::json;

bool has_param(const StageRegistration& registration, std::string_view name) {
  return std::any_of(registration.params.begin(), registration.params.end(),
                     [&](const StageParamInfo& param) { return param.name == name; });
}

// Registry and stage errors start with "stage '<name>': "; the CLI's context already
// names the stage, so the prefix would only repeat it.
std::string without_stage_prefix(std::string message, const std::string& stage) {
  const std::string prefix = fmt::format("stage '{}': ", stage);
  if (message.starts_with(prefix)) message.erase(0, prefix.size());
  return message;
}

bool quotes(const std::string& message, const std::string& text) {
  return message.find("'" + text + "'") != std::string::npos;
}

// Finds, depth first, a key or string value below `value` that `message` quotes.
std::optional<std::string> quoted_pointer(const json& value, const std::string& pointer,
                                          const std::string& message) {
  if (value.is_string() && quotes(message, value.get<std::string>())) return pointer;
  if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (auto found = quoted_pointer(value[i], fmt::format("{}/{}", pointer, i), message))
        return found;
    }
  }
  if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      const std::string child = pointer + "/" + pointer_segment(key);
      if (quotes(message, key)) return child;
      if (auto found = quoted_pointer(item, child, message)) return found;
    }
  }
  return std::nullopt;
}

// Points an error at the parameter it quotes (a top-level name first, else any nested
// key or string value, which may live in an included file), so the location is the
// parameter's rather than the stage's.
std::string error_pointer(const StageEntry& entry, const std::string& message) {
  const std::string base = fmt::format("/stages/{}/params", entry.index);
  for (const auto& [key, value] : entry.params.items()) {
    if (quotes(message, key)) return base + "/" + pointer_segment(key);
  }
  return quoted_pointer(entry.params, base, message)
      .value_or(fmt::format("/stages/{}", entry.index));
}

StageOverrides to_stage_overrides(const OverrideSpec& spec, const ProcessingStage& stage) {
  StageOverrides out;
  out.name = spec.name;
  out.batch_size = spec.batch_size;
  out.num_workers = spec.num_workers;
  if (spec.cpus || spec.gpus || spec.gpu_memory_gb) {
    Resources resources = stage.resources();
    if (spec.cpus) resources.cpus = *spec.cpus;
    // Whole GPUs and GPU memory exclude each other: setting one clears the stage's other.
    if (spec.gpus) resources.gpus = *spec.gpus;
    if (spec.gpus && !spec.gpu_memory_gb) resources.gpu_memory_gb = 0.0;
    if (spec.gpu_memory_gb) resources.gpu_memory_gb = *spec.gpu_memory_gb;
    if (spec.gpu_memory_gb && !spec.gpus) resources.gpus = 0.0;
    out.resources = resources;
  }
  if (!spec.stage_spec.is_null())
    out.stage_spec = StageSpec::from_json(spec.stage_spec, stage.name());
  return out;
}

// An invalid override, with the pointer of the value it is about (for file order).
struct OverrideError {
  std::string pointer;
  std::string message;
};

StagePtr apply_overrides(const StageEntry& entry, StagePtr stage, const PipelineConfig& config) {
  const std::string pointer = fmt::format("/stages/{}", entry.index);
  auto fail = [&](const std::string& at, const std::string& message) -> OverrideError {
    return OverrideError{at, fmt::format("{}{}: {}", config.where(at), entry.label(), message)};
  };
  const auto composite = std::dynamic_pointer_cast<const CompositeStage>(stage);
  if (!composite) {
    if (!entry.sub_stages.empty()) {
      throw fail(
          pointer + "/sub_stages",
          fmt::format("'sub_stages' is only for composite stages, and '{}' is not one; put "
                      "resources, batch_size, num_workers and stage_spec on the entry itself",
                      entry.stage));
    }
    if (entry.overrides.empty()) return stage;
    try {
      return stage->with_(to_stage_overrides(entry.overrides, *stage));
    } catch (const std::invalid_argument& error) {
      throw fail(pointer, without_stage_prefix(error.what(), stage->name()));
    }
  }
  const std::vector<StagePtr> parts = composite->decompose();
  std::vector<std::string> names;
  for (const auto& part : parts) names.push_back(part->name());
  std::map<std::string, OverrideSpec> merged;
  for (const auto& [name, spec] : entry.sub_stages) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      throw fail(pointer + "/sub_stages/" + pointer_segment(name),
                 fmt::format("'{}' has no sub-stage '{}'{}; its sub-stages: {}", entry.stage, name,
                             did_you_mean(name, names), fmt::join(names, ", ")));
    }
    merged[name] = spec;
  }
  if (!entry.overrides.empty() && !names.empty()) {
    // The entry's own overrides go to the sub-stage doing the composite's work.
    const std::string& primary =
        names.at(std::min(composite->primary_sub_stage(), names.size() - 1));
    merged[primary] = entry.overrides.overlaid_with(merged[primary]);
  }
  if (merged.empty()) return stage;
  try {
    std::map<std::string, StageOverrides> converted;
    for (const auto& [name, spec] : merged) {
      const auto part = std::find(names.begin(), names.end(), name) - names.begin();
      converted[name] = to_stage_overrides(spec, *parts[static_cast<std::size_t>(part)]);
    }
    auto result = composite->with_sub_stages(std::move(converted));
    result->expand();  // reports invalid overrides now rather than at run time
    return result;
  } catch (const std::invalid_argument& error) {
    throw fail(pointer, error.what());
  }
}

// Returns null when the stage cannot be built; every mistake found goes to `errors`.
StagePtr build_stage(const StageEntry& entry, const PipelineConfig& config,
                     const StageRegistry& registry, const BuildOptions& options,
                     ConfigErrors& errors) {
  const std::string pointer = fmt::format("/stages/{}", entry.index);
  if (!registry.contains(entry.stage)) {
    errors.add(config.sources, pointer + "/stage",
               fmt::format("{}{}: unknown stage '{}'{} (`curate stages` lists them all)",
                           config.where(pointer + "/stage"), entry.label(), entry.stage,
                           did_you_mean(entry.stage, registry.names())));
    return nullptr;
  }
  json params = entry.params;
  if (!options.log_dir.empty() && has_param(registry.get(entry.stage), "log_dir") &&
      (!params.contains("log_dir") || params["log_dir"].is_null())) {
    params["log_dir"] = options.log_dir.string();
  }
  StageCreation created = registry.create_checked(entry.stage, params);
  for (const std::string& error : created.errors) {
    const std::string message = without_stage_prefix(error, entry.stage);
    const std::string at = error_pointer(entry, message);
    errors.add(config.sources, at,
               fmt::format("{}{}: {}", config.where(at), entry.label(), message));
  }
  if (!created.stage) return nullptr;
  try {
    StagePtr stage = apply_overrides(entry, std::move(created.stage), config);
    return created.errors.empty() ? stage : nullptr;
  } catch (const OverrideError& error) {
    errors.add(config.sources, error.pointer, error.message);
    return nullptr;
  }
}

}  // namespace

const std::vector<std::string>& output_folder_params() {
  static const std::vector<std::string> kParams = {"output_dir", "rejected_dir"};
  return kParams;
}

Pipeline build_pipeline(const PipelineConfig& config, const StageRegistry& registry,
                        const BuildOptions& options, ConfigErrors* errors) {
  ConfigErrors local;
  ConfigErrors& sink = errors != nullptr ? *errors : local;
  Pipeline pipeline(config.name, {}, config.description);
  bool every_stage_built = !config.stages.empty();
  for (const StageEntry& entry : config.stages) {
    // A stage that cannot be built hides only its own later mistakes: the next is checked.
    StagePtr stage = entry.valid ? build_stage(entry, config, registry, options, sink) : nullptr;
    if (stage) {
      pipeline.add_stage(std::move(stage));
    } else {
      every_stage_built = false;
    }
  }
  // Whether the stages fit together is known only when all of them could be built.
  if (every_stage_built) {
    try {
      pipeline.build();
    } catch (const std::invalid_argument& error) {
      sink.add(config.sources, "/stages",
               fmt::format("{}{}", config.where("/stages"), error.what()));
    }
  }
  if (errors == nullptr) local.throw_if_any();
  return pipeline;
}

std::vector<std::filesystem::path> output_folders(const PipelineConfig& config,
                                                  const StageRegistry& registry) {
  std::vector<std::filesystem::path> out;
  for (const StageEntry& entry : config.stages) {
    if (!registry.contains(entry.stage)) continue;
    for (const std::string& key : output_folder_params()) {
      if (!has_param(registry.get(entry.stage), key)) continue;
      const auto it = entry.params.find(key);
      if (it == entry.params.end() || !it->is_string() || it->get<std::string>().empty()) continue;
      const std::filesystem::path folder = it->get<std::string>();
      if (std::find(out.begin(), out.end(), folder) == out.end()) out.push_back(folder);
    }
  }
  return out;
}

const std::vector<std::string>& executor_types() {
  static const std::vector<std::string> kTypes = {"local", "mpi", "ray"};
  return kTypes;
}

const std::vector<std::string>& ray_executor_config_keys() {
  static const std::vector<std::string> kKeys = {"address", "ray_remote_args", "ignore_head_node",
                                                 "fuse_task_stages", "log_level"};
  return kKeys;
}

const std::vector<std::string>& executor_config_keys(const std::string& type) {
  if (type == "ray") return ray_executor_config_keys();
  return backends::LocalExecutor::config_keys();
}

std::string ray_needs_python_message(const std::string& where) {
  return fmt::format(
      "{}executor: type 'ray' runs on a Ray cluster from curate's Python package, not from this "
      "binary: install it with `pip install 'curate[ray]'` and run `curate run` from that "
      "package (this binary runs types local and mpi)",
      where);
}

json resolve_executor_config(const PipelineConfig& config, ConfigErrors* errors) {
  ConfigErrors local;
  ConfigErrors& sink = errors != nullptr ? *errors : local;
  const std::size_t before = sink.size();
  const auto report = [&](const std::string& pointer, const std::string& message) {
    sink.add(config.sources, pointer,
             fmt::format("{}executor: {}", config.where(pointer), message));
  };
  const ExecutorSection& section = config.executor;
  const std::vector<std::string>& types = executor_types();
  if (std::find(types.begin(), types.end(), section.type) == types.end()) {
    // The valid config keys depend on the type: nothing more to check.
    report("/executor/type",
           fmt::format("unknown type '{}'{}; known types: {}", section.type,
                       did_you_mean(section.type, types), fmt::join(types, ", ")));
  } else {
    const std::vector<std::string>& local_keys = executor_config_keys(section.type);
    for (const auto& [key, value] : section.config.items()) {
      if (std::find(local_keys.begin(), local_keys.end(), key) != local_keys.end()) continue;
      report("/executor/config/" + pointer_segment(key),
             fmt::format("unknown config key '{}' for type '{}'{}; valid keys: {}", key,
                         section.type, did_you_mean(key, local_keys), fmt::join(local_keys, ", ")));
    }
  }
  if (section.type == "ray") {
    // The Python RayExecutor reads these; a wrong type is found here, with its line.
    const std::vector<std::pair<std::string, json::value_t>> typed = {
        {"address", json::value_t::string},
        {"ignore_head_node", json::value_t::boolean},
        {"fuse_task_stages", json::value_t::boolean},
        {"ray_remote_args", json::value_t::object}};
    for (const auto& [key, kind] : typed) {
      const auto it = section.config.find(key);
      if (it == section.config.end() || it->type() == kind || it->is_null()) continue;
      report("/executor/config/" + pointer_segment(key),
             fmt::format("config key '{}' of type 'ray' must be {}, not {}", key,
                         json(kind).type_name(), it->dump()));
    }
  }
  json merged = backends::merge_executor_configs(json::object(), section.config);
  try {
    // Sets the driver's level now, so the CLI's own messages already honour it.
    backends::configure_logging(merged);
  } catch (const std::exception& error) {
    report("/executor/config/log_level", error.what());
  }
  if (errors == nullptr) local.throw_if_any();
  return sink.size() == before ? merged : json::object();
}

ExecutorHandle make_executor(const PipelineConfig& config) {
  ExecutorHandle handle;
  handle.type = config.executor.type;
  handle.config = resolve_executor_config(config);
  if (handle.type == "ray")
    throw ConfigError(ray_needs_python_message(config.where("/executor/type")));
  // Under mpirun or srun every rank runs the pipeline on the MPI executor, whatever the
  // type says: a LocalExecutor per rank would each run the whole corpus.
  if (handle.type == "mpi" || backends::mpi::MpiSession::cluster() != nullptr) {
    if (backends::mpi::MpiSession::cluster() == nullptr) {
      throw ConfigError(fmt::format(
          "{}executor: type 'mpi' needs an MPI launch; start the command with mpirun -np N or "
          "srun --mpi=pmix",
          config.where("/executor/type")));
    }
    handle.type = "mpi";
    auto mpi = std::make_unique<backends::MpiExecutor>(handle.config);
    const backends::MpiExecutor* view = mpi.get();
    handle.progress = [view] { return view->progress(); };
    handle.stats = [view] { return view->last_run_stats(); };
    handle.executor = std::move(mpi);
    return handle;
  }
  auto local = std::make_unique<backends::LocalExecutor>(handle.config);
  const backends::LocalExecutor* view = local.get();
  handle.progress = [view] { return view->progress(); };
  handle.stats = [view] { return view->last_run_stats(); };
  handle.executor = std::move(local);
  return handle;
}

std::string describe_pipeline(const PipelineConfig& config, const Pipeline& pipeline) {
  std::string out = pipeline.describe();
  out += fmt::format("Executor: {} {}\n", config.executor.type,
                     resolve_executor_config(config).dump());
  return out;
}

}  // namespace curate::cli
