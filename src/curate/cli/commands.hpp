#pragma once

#include "curate/core/executor.hpp"
#include "curate/core/stage_registry.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace curate::cli {

/// Where a command writes and what it may assume about the terminal; `extra_stages`
/// lets tests and embedders register stages of their own next to the built-in ones.
struct CliContext {
  /// Write results to `out_stream`, progress and errors to `err_stream`.
  CliContext(std::ostream& out_stream, std::ostream& err_stream)
      : out(out_stream), err(err_stream) {}

  std::ostream& out;             ///< results: tables, descriptions, JSON
  std::ostream& err;             ///< progress and the one-line error reason
  bool err_is_terminal = false;  ///< progress is redrawn in place when true
  int terminal_columns = 0;      ///< width to cut live progress lines at (0: none)
  std::function<void(StageRegistry&)> extra_stages;  ///< registers more stages (tests)
  /// Let SIGINT and SIGTERM stop `curate run` cleanly (backends::InterruptWatcher) while
  /// it executes: set by the `curate` binary; off for embedders and in-process tests,
  /// whose signal handling is their own.
  bool handle_interrupts = false;
  /// When set, `curate dedup` runs its phases on this executor instead of making a
  /// LocalExecutor (the Python bridge passes a RayExecutor through it); it must outlive
  /// the command. No live progress or per-phase table then.
  Executor* executor = nullptr;
};

/// The options of `curate run`.
struct RunOptions {
  std::filesystem::path pipeline_file;           ///< the positional PIPELINE.yaml
  std::vector<std::string> sets;                 ///< `--set key=value`, in order
  std::optional<std::filesystem::path> log_dir;  ///< `--log-dir`; default logs/<pipeline name>
  bool overwrite = false;                        ///< `--overwrite`: start over
  bool quiet = false;                            ///< `--quiet`: no progress, no table
  double progress_interval_s = 10.0;             ///< `--progress-interval` (not a terminal)
};

/// Return the registry a command builds pipelines from: the catalogue plus the
/// context's extra stages.
StageRegistry make_registry(const CliContext& context);

/// Run a pipeline file (see pipeline_config.hpp for the format): build it, prepare the
/// log folder (resume or start over), execute with progress, write stats.json, print
/// the table. Returns kExitSuccess or kExitRunFailed (printing "curate: <reason>"); with
/// `context.handle_interrupts`, a first SIGINT or SIGTERM cancels the run (every instance
/// torn down, stats.json says "interrupted"), prints "interrupted: N of M source tasks
/// complete; ..." and returns 128 + the signal. Throws ConfigError for mistakes found
/// before anything runs. Driver thread only.
int run_command(const RunOptions& options, CliContext& context);

/// Print the built stages of a pipeline file and its executor. Throws ConfigError.
int describe_command(const std::filesystem::path& pipeline_file,
                     const std::vector<std::string>& sets, CliContext& context);

/// Print the nodes with their CPUs and GPUs (index, name, memory), as text or as one
/// JSON object {"nodes": [...]}.
int resources_command(bool as_json, CliContext& context);

/// Print every registered stage with its parameters.
int stages_command(CliContext& context);

}  // namespace curate::cli
