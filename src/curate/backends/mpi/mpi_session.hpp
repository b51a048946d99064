#pragma once

#include "curate/backends/cluster.hpp"
#include "curate/backends/mpi/mpi_cluster.hpp"
#include "curate/backends/mpi/mpi_session_watch.hpp"

#include <memory>
#include <optional>

namespace curate::backends::mpi {

/// Return true when an MPI launcher started this process: `mpirun`/`mpiexec` of Open MPI
/// (OMPI_COMM_WORLD_SIZE) or a PMIx/PMI launcher such as `srun --mpi=pmix` (PMIX_RANK,
/// PMI_RANK).
bool launched_by_mpi();

/// Note that a rank of this job was lost (it stopped sending heartbeats): `finish` then
/// calls MPI_Abort at once on rank 0 (after its report), and after at most 5 s elsewhere,
/// since the lost rank would never come to the final barrier.
/// Called by the job's listener thread; any thread.
void note_lost_rank();
/// Return true once `note_lost_rank` was called. Any thread.
bool lost_rank_noted();

/// MPI for the lifetime of a process: created first thing in `main`, it initialises MPI
/// when `launched_by_mpi()` (MPI_Init_thread with MPI_THREAD_MULTIPLE: the executor's
/// worker threads, rank 0's task server and the failure listener call MPI concurrently,
/// each on communicators of their own), makes an MpiCluster the current cluster and
/// gives each rank its share of its node's GPUs by local rank (gpu_assignment.hpp). The
/// job's start-up is bounded under any launcher, srun without `--kill-on-bad-exit`
/// included: MPI_Init by a deadline (`silence_timeout_s()`, at least 10 s; past it the
/// rank exits with status 1, saying why), and from right after MPI_Init to the final
/// barrier its SessionWatch beats and, outside runs, ends the job (MPI_Abort, naming the
/// ranks) when a rank falls silent for `silence_timeout_s()`, so a rank that dies in the
/// start-up collectives (node grouping, resource gather, node setup) ends the job. Not launched by
/// MPI, it does nothing. One per process; constructed and finished on the main thread.
class MpiSession {
 public:
  MpiSession();
  /// Finish as `finish(0)` would, if `finish` was not called.
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  /// Return true when MPI was initialised by this session.
  bool active() const { return cluster_ != nullptr; }

  /// End MPI and return `status`, the process's exit status. Ranks that all return meet
  /// at a barrier (waited for at most 10 s) and finalise; a rank whose peers do not come
  /// (one died or hangs) calls MPI_Abort with `status` (at least 1), so the launcher ends
  /// the whole job instead of waiting; after `note_lost_rank` rank 0 aborts at once.
  /// Idempotent.
  int finish(int status);

  /// Return the session's cluster (null when MPI is not active). Any thread.
  static std::shared_ptr<MpiCluster> cluster();

 private:
  std::unique_ptr<SessionWatch> watch_;
  std::shared_ptr<MpiCluster> cluster_;
  std::optional<ClusterScope> scope_;
  // The final barrier's own communicator: a rank that failed alone may come to it while
  // the others wait in a collective of the cluster's.
  MPI_Comm finish_comm_ = MPI_COMM_NULL;
  bool finished_ = false;
};

}  // namespace curate::backends::mpi
