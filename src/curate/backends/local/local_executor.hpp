#pragma once

#include "curate/backends/base.hpp"
#include "curate/backends/run_stats.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>
#include <vector>

namespace curate::backends {

namespace local {
class LocalRun;
}

/// The embedded executor: runs every stage as a pool of worker threads in this process,
/// connected by bounded queues, so memory is bounded by queue sizes, not corpus size.
///
/// Config keys (a JSON object; all optional):
/// - `queue_capacity` (int >= 1): tasks each stage's input queue holds; default twice the
///   stage's workers (never below its batch size). A full queue blocks its producers.
/// - `num_cpus`, `num_gpus` (numbers >= 0): the CPUs and GPUs to size pools against,
///   instead of the current cluster's (less the head node's with `ignore_head_node`).
/// - `log_level` (trace ... off): the driver's and every worker's level; else
///   `CURATE_LOG_LEVEL`, else info.
/// - `fuse_task_stages` (bool, default true): run consecutive task stages (not actor,
///   fan-out, shuffle, LSH or raft; later ones with batch size 1; same resources and
///   worker count) inside one worker, with no queue between them.
/// - `discard_outputs` (bool, default false): count the last stage's outputs (stats) but
///   return none, for pipelines whose last stage writes its results itself: then nothing
///   accumulates on the driver and memory stays bounded by the queues.
/// - `runtime_env.env_vars` ({name: value}): set in the process environment for the run
///   and restored after it; workers share one environment, so when stages disagree on a
///   variable the first stage's value is kept and a warning names both.
///
/// Per stage, `ray_remote_args` is merged over the config with `merge_executor_configs`
/// (env var overrides reported by `warn_on_env_var_override`): it may set
/// `queue_capacity` and `runtime_env` for that stage, and, read from `ray_remote_args`
/// alone, `num_workers` (else the stage's `num_workers()`) and `num_cpus`/`num_gpus` per
/// worker (else the stage's `Resources`; `gpu_memory_gb` as a fraction of GPU 0).
///
/// Pools: a stage gets floor(available / per-worker need) workers by CPU and by GPU
/// (at least 1); a requested worker count above that is capped with a warning. A stage
/// needing more CPUs or GPUs per worker than exist is an error before anything starts.
///
/// Order: `execute` returns the last stage's outputs in the order a sequential run would
/// give (initial task order, then each stage's output order), for every worker count.
/// Shuffle stages reduce partitions in partition order; gang stages' `finish` outputs
/// come after their streamed outputs, member by member.
///
/// One `execute` at a time per executor; `progress` and `last_run_stats` may be called
/// from any thread at any time.
class LocalExecutor final : public BaseExecutor {
 public:
  /// Create an executor; the config is checked when `execute` plans a run.
  explicit LocalExecutor(nlohmann::json config = nlohmann::json::object(),
                         bool ignore_head_node = false);
  ~LocalExecutor() override;

  /// Run `stages` over `initial_tasks` and return the last stage's outputs. In order:
  /// check the input (std::invalid_argument for no stages or no initial task), configure
  /// logging, plan pools (resource errors thrown here), apply env vars, run
  /// `execute_setup_on_node`, then stream. On a stage error every worker stops, every
  /// instance is torn down and the first error is rethrown as std::runtime_error
  /// "stage 'x' failed on task 'id': <what>" (the original nested inside). Called by the
  /// driver thread; not reentrant.
  std::vector<TaskPtr> execute(const std::vector<StagePtr>& stages,
                               std::vector<TaskPtr> initial_tasks) override;

  /// Run as above until `cancel` is cancelled (from any thread): then no worker takes
  /// another task, the stage calls in progress finish, every instance is torn down and
  /// curate::RunCancelled is thrown; `last_run_stats()` says `cancelled`. A token that is
  /// cancelled already throws before anything is planned or set up. A stage error that
  /// came first wins over the cancel.
  std::vector<TaskPtr> execute(const std::vector<StagePtr>& stages,
                               std::vector<TaskPtr> initial_tasks,
                               const CancellationToken& cancel) override;

  /// Return the keys the config may hold; `execute` rejects any other with an error
  /// naming the closest valid key.
  static const std::vector<std::string>& config_keys();

  /// Return the statistics of the last run that started streaming (also a failed one);
  /// empty before the first. Thread-safe.
  RunStats last_run_stats() const;

  /// Return a live snapshot per stage (tasks and documents done, queue depth) of the run
  /// in progress, or the final one of the last run. Meant to be polled from another
  /// thread (a progress bar); cheap: sums per-worker counters. Thread-safe.
  std::vector<StageProgress> progress() const;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<local::LocalRun> live_run_;
  std::vector<StageProgress> final_progress_;
  RunStats last_stats_;
};

}  // namespace curate::backends
