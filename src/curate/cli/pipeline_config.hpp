#pragma once

// A pipeline file, loaded and checked for shape; stages are not built yet (see
// pipeline_builder.hpp). The format, in full:
//
//   name: quickstart                  # optional; default: the file name without .yaml
//   description: read, filter, write  # optional
//   executor:                         # optional; default {type: local}
//     type: local                     # "local" (LocalExecutor); "mpi" later
//     config: {queue_capacity: 8}     # merged over the executor's defaults
//   stages:                           # required, in order
//     - stage: jsonl_reader           # a registered stage name (`curate stages` lists them)
//       name: read                    # optional: rename the stage (stats, errors, logs)
//       params: {paths: data/sample}  # the stage's parameters (unknown ones are errors)
//       resources: {cpus: 1, gpus: 0, gpu_memory_gb: 0}   # any subset; overlays the stage's
//       batch_size: 1
//       num_workers: 2
//       stage_spec: {max_calls_per_worker: 100, ray_remote_args: {num_workers: 2}}
//       sub_stages:                   # composite stages only: overrides per sub-stage,
//         file_partitioning: {num_workers: 1}   # keyed by the sub-stage's own name
//
// On a composite stage (jsonl_reader = file_partitioning + jsonl_reader) the top-level
// `name`, `resources`, `batch_size`, `num_workers` and `stage_spec` apply to the sub-stage
// that does its work (`CompositeStage::primary_sub_stage`: the reader's jsonl_reader,
// exact_duplicates' shuffle rather than its removal-list writer); `sub_stages` reaches
// any sub-stage, and wins where both set a field.
//
// Anywhere in the file, a mapping `{include: PATH}` is replaced by the YAML content of
// PATH, relative to the including file. Other relative paths (params) are relative to the
// working directory.

#include "curate/cli/yaml_to_json.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace curate::cli {

class ConfigErrors;

/// The `with_` overrides one stage entry (or one sub-stage) asks for, as written: unset
/// fields keep the stage's own values; resources overlay field by field.
struct OverrideSpec {
  std::optional<std::string> name;      ///< `name:`
  std::optional<double> cpus;           ///< `resources.cpus`
  std::optional<double> gpus;           ///< `resources.gpus` (clears gpu_memory_gb)
  std::optional<double> gpu_memory_gb;  ///< `resources.gpu_memory_gb` (clears gpus)
  std::optional<int> batch_size;        ///< `batch_size:` (>= 1)
  std::optional<int> num_workers;       ///< `num_workers:` (>= 1)
  nlohmann::json stage_spec;            ///< null, or an object of valid spec keys

  /// Return true when nothing is overridden.
  bool empty() const;
  /// Return `other`'s set fields laid over this one's (other wins; spec keys merged).
  OverrideSpec overlaid_with(const OverrideSpec& other) const;
};

/// One entry of `stages:`. Parameters are checked when the stage is built.
struct StageEntry {
  std::size_t index = 0;   ///< position in `stages:` (0-based, as `--set stages.N`)
  std::string stage;       ///< the registry name
  nlohmann::json params;   ///< an object (empty when not given)
  OverrideSpec overrides;  ///< name, resources, batch_size, num_workers, stage_spec
  std::map<std::string, OverrideSpec> sub_stages;  ///< by sub-stage name (composites)
  SourceLocation location;                         ///< where the entry starts
  /// False when the entry is too broken to build (not a mapping, no `stage:`); its
  /// errors were reported while it was read.
  bool valid = true;

  /// Return how errors name the entry: "stages[1] 'read' (jsonl_reader)", or
  /// "stages[1] (jsonl_reader)" without a custom name.
  std::string label() const;
};

/// The `executor:` section.
struct ExecutorSection {
  std::string type = "local";                        ///< one of `executor_types()`
  nlohmann::json config = nlohmann::json::object();  ///< as written (not merged yet)
  SourceLocation location;                           ///< where the section is
};

/// A loaded pipeline file: includes resolved, `--set` applied, every key checked.
struct PipelineConfig {
  std::filesystem::path file;      ///< the pipeline file, as given
  std::string name;                ///< `name:`, else the file name without extension
  std::string description;         ///< `description:` (may be empty)
  ExecutorSection executor;        ///< `executor:` (default: local, no config)
  std::vector<StageEntry> stages;  ///< `stages:`, in order (never empty)
  nlohmann::json document;         ///< the resolved document, as the stages were read from it
  SourceMap sources;               ///< where each value of `document` was written

  /// Return "file:line: " for the value at JSON `pointer` (or its nearest ancestor).
  std::string where(const std::string& pointer) const;
};

/// Set the value at `assignment` = "dotted.path=VALUE" in `document`. Path segments are
/// object keys, or in a list an index or the `name` / `stage` of an element (so
/// `stages.jsonl_reader.params.paths=x` works); missing object keys are created. VALUE
/// is YAML (`parse_yaml_value`). Throws ConfigError naming the assignment and the
/// closest valid segment.
void apply_set(nlohmann::json& document, std::string_view assignment);

/// Read `file`, resolve includes, apply `sets` in order, and check the document's shape
/// (`parse_pipeline_config`). A file that cannot be read or parsed as YAML throws
/// ConfigError at once. Every other mistake (a bad `--set`, the shape) goes to `errors`
/// when given, and the config returned holds what could be read (entries too broken to
/// build are marked invalid); without `errors`, they are thrown together as one
/// ConfigError naming file, line and stage of each.
PipelineConfig load_pipeline_config(const std::filesystem::path& file,
                                    const std::vector<std::string>& sets = {},
                                    ConfigErrors* errors = nullptr);

/// Check a loaded document's shape and read it. Unknown keys at top level, in the
/// executor section, in a stage entry, in `resources` or `stage_spec` are errors with
/// the closest valid names; every one is reported (to `errors`, or thrown together as
/// `load_pipeline_config` does), and a value with a mistake is left unset.
PipelineConfig parse_pipeline_config(nlohmann::json document, SourceMap sources,
                                     std::filesystem::path file, ConfigErrors* errors = nullptr);

/// Return a stable hash of what decides a run's output: each stage's registry name and
/// parameters, in order (not names, resources or executor settings). Stored in the log
/// folder so that a rerun resumes only the same pipeline.
std::string pipeline_fingerprint(const PipelineConfig& config);

}  // namespace curate::cli
