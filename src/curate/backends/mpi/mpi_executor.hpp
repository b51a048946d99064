#pragma once

#include "curate/backends/base.hpp"
#include "curate/backends/mpi/mpi_cluster.hpp"
#include "curate/backends/run_stats.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <mutex>
#include <vector>

namespace curate::backends {

namespace local {
class LocalRun;
}
namespace mpi {
class JobControl;
}

/// The multi-process executor: every rank of an MPI job runs the same pipeline (SPMD) on
/// a LocalRun of its own, and the ranks cooperate through the MpiCluster:
/// - setup: `execute_setup_on_node` once per stage per node, on the node leaders;
/// - sources: when the first stage is a fan-out (file partitioning), every rank runs it
///   and rank 0 hands the resulting source tasks out one at a time, on request, to the
///   ranks that ask (a small request/reply protocol served by a thread on rank 0), so
///   skewed files balance; otherwise the initial tasks are handed out the same way;
/// - shuffle and LSH stages: partition p is reduced on one rank, the routed RowBlocks
///   moved by a chunked MPI_Alltoallv (MpiShuffleExchange);
/// - raft-actor stages: one member per working rank, a Gang over a communicator of them;
/// - outputs: each rank writes and returns what it produced; statistics are gathered to
///   rank 0 (`last_run_stats` there is the whole job's). Config `all_gather_outputs`
///   (bool, default false; the LocalExecutor's keys apply too) makes every rank return
///   every rank's outputs instead (rank order), for drivers that read a phase's outputs:
///   the dedup workflows' counters and fuzzy dedup's candidate index. Only
///   DocumentBatch, FileGroupTask and EmptyTask outputs can travel (task_transport.hpp).
/// Pools are sized per rank: the node's CPUs and GPUs shared among its ranks, unless the
/// config sets `num_cpus`/`num_gpus`. `ignore_head_node` keeps source tasks, shuffle
/// partitions and gang members off the ranks of rank 0's node (when other nodes have
/// ranks): those ranks only serve tasks and gather the results.
///
/// Failure: the rank whose stage throws tells every other rank (a point-to-point notice);
/// each cancels its run, every wait on another rank polls for such notices, and the ranks
/// agree on an error flag before every collective step, so no rank waits forever. Ranks
/// also beat (JobControl's Heartbeat): one silent for `CURATE_MPI_SILENCE_TIMEOUT_S`
/// (default 30 s) — killed where the launcher does not end the job, stopped, hung — is
/// lost, and every other rank gives up, the final agreement included. Before and after
/// those heartbeats (node setup, the source-count agreement, making the communicators,
/// gathering the outputs: blocking collectives) the MpiSession's watch covers the ranks:
/// a rank silent as long ends the job with MPI_Abort, naming it (mpi_session_watch.hpp).
/// `execute` then throws on every rank with the first failure's message, which names the
/// stage, rank and node. Collective: every rank calls `execute` with the same stages.
class MpiExecutor final : public BaseExecutor {
 public:
  /// Create an executor over `cluster` (default: the MpiSession's; null there is an
  /// error when `execute` is called).
  explicit MpiExecutor(nlohmann::json config = nlohmann::json::object(),
                       bool ignore_head_node = false,
                       std::shared_ptr<mpi::MpiCluster> cluster = nullptr);
  ~MpiExecutor() override;

  std::vector<TaskPtr> execute(const std::vector<StagePtr>& stages,
                               std::vector<TaskPtr> initial_tasks) override;
  /// As above, stopping every rank when `cancel` is cancelled on any of them.
  std::vector<TaskPtr> execute(const std::vector<StagePtr>& stages,
                               std::vector<TaskPtr> initial_tasks,
                               const CancellationToken& cancel) override;

  /// Return the last run's statistics: the whole job's on rank 0, this rank's elsewhere.
  RunStats last_run_stats() const;
  /// Return the live progress (see LocalExecutor::progress): on rank 0 the whole job's
  /// (its own counters plus the others' from their last heartbeats, at most about a
  /// second old), elsewhere this rank's. Thread-safe; cheap (no MPI call).
  std::vector<StageProgress> progress() const;
  /// Return the bytes this rank sent and received in shuffle exchanges in the last run.
  std::uint64_t last_shuffle_bytes() const;

 private:
  std::vector<StageProgress> progress_locked() const;  // live_run_ set, mutex_ held

  std::shared_ptr<mpi::MpiCluster> cluster_;
  mutable std::mutex mutex_;
  std::shared_ptr<local::LocalRun> live_run_;
  std::shared_ptr<mpi::JobControl> live_control_;
  std::vector<StageProgress> final_progress_;
  RunStats last_stats_;
  std::uint64_t shuffle_bytes_ = 0;
};

}  // namespace curate::backends
