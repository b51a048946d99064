#pragma once

#include "curate/backends/run_stats.hpp"
#include "curate/cli/pipeline_config.hpp"
#include "curate/core/executor.hpp"
#include "curate/core/pipeline.hpp"
#include "curate/core/stage_registry.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace curate::cli {

/// What the CLI adds while building: the log folder, given to every stage that has a
/// `log_dir` parameter the file leaves unset (the reader's errors.jsonl goes there).
struct BuildOptions {
  std::filesystem::path log_dir;  ///< empty: inject nothing
};

/// Return the parameters that name folders a stage writes its output to (`output_dir`,
/// `rejected_dir`): what `curate run --overwrite` clears.
const std::vector<std::string>& output_folder_params();

/// Build the stages of `config` from `registry`, in file order: create each with its
/// params, apply its overrides (`with_`, or `with_sub_stages` for composites) and check
/// that the pipeline builds. Every mistake names file, line, stage and the closest valid
/// names (an unknown stage, parameter or sub-stage, a factory's error, an invalid
/// override); a stage that cannot be built stops the check of that stage only, and the
/// stages' fit is checked when all were built. With `errors`, mistakes go there and the
/// pipeline holds the stages that were built; without, they are thrown together as one
/// ConfigError.
Pipeline build_pipeline(const PipelineConfig& config, const StageRegistry& registry,
                        const BuildOptions& options = {}, ConfigErrors* errors = nullptr);

/// Return the folders the stages write to (the values of `output_folder_params()` set
/// in the file), in stage order, without duplicates.
std::vector<std::filesystem::path> output_folders(const PipelineConfig& config,
                                                  const StageRegistry& registry);

/// Return the executor types a pipeline file may name: local, mpi, ray.
const std::vector<std::string>& executor_types();

/// Return the `executor.config` keys of type `ray` (the Python RayExecutor's): address,
/// ray_remote_args (actor options for every stage, e.g. runtime_env), ignore_head_node,
/// log_level (the driver's).
const std::vector<std::string>& ray_executor_config_keys();

/// Return the config keys valid for executor `type` (one of `executor_types()`).
const std::vector<std::string>& executor_config_keys(const std::string& type);

/// Return the message that says type 'ray' runs from the Python package: what to install
/// (`pip install 'curate[ray]'`) and which command to run. `where` prefixes it
/// ("file:line: ").
std::string ray_needs_python_message(const std::string& where);

/// Return the executor's configuration: the file's `executor.config` merged over the
/// type's defaults with `merge_executor_configs`. An unknown type, each unknown config
/// key (with the closest valid names) and a bad log level are mistakes naming file and
/// line: reported to `errors` when given (then an empty object is returned), else
/// thrown together as one ConfigError.
nlohmann::json resolve_executor_config(const PipelineConfig& config,
                                       ConfigErrors* errors = nullptr);

/// An executor made from a pipeline file, with the live views the CLI polls.
struct ExecutorHandle {
  std::string type;                            ///< `executor.type`
  nlohmann::json config;                       ///< the merged configuration
  std::unique_ptr<curate::Executor> executor;  ///< used by the driver thread only
  /// Return a snapshot per stage of the run in progress; callable from any thread.
  std::function<std::vector<backends::StageProgress>()> progress;
  /// Return the statistics of the last run; callable after `execute` returned or threw.
  std::function<backends::RunStats()> stats;
};

/// Create the executor `config.executor` names (`local`: LocalExecutor, `mpi`:
/// MpiExecutor, which is also chosen whenever the process runs under MPI). Throws
/// ConfigError as `resolve_executor_config` does, and for type `ray`, which the Python
/// package runs (`ray_needs_python_message`).
ExecutorHandle make_executor(const PipelineConfig& config);

/// Return `curate describe`'s text: the built stages (Pipeline::describe: resources,
/// batch size, workers, spec keys) followed by the executor type and configuration.
std::string describe_pipeline(const PipelineConfig& config, const Pipeline& pipeline);

}  // namespace curate::cli
