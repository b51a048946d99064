#pragma once

#include "curate/backends/mpi/mpi_heartbeat.hpp"

#include <mpi.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace curate::backends::mpi {

/// Note that a run's own watch (JobControl's heartbeats, whose loss path cancels the run
/// and reports through rank 0) covers this rank from `begin_run_watch` to the matching
/// `end_run_watch`; while one is open the SessionWatch only beats. Called by JobControl
/// (start, and stop_watching or its destruction); any thread.
void begin_run_watch();
void end_run_watch();

/// The signs of life of an MPI session outside its runs. From right after MPI_Init to
/// the final barrier, a thread of every rank beats over `comm` (a Heartbeat; rank 0 hears
/// every rank, the others rank 0). While no run watches (see `begin_run_watch`), a rank
/// silent for `silence_s` is lost: the job's start-up (grouping ranks into nodes,
/// gathering their resources, the nodes' setup outcome, the source-count agreement,
/// making a run's communicators) and the steps between runs are blocking collectives,
/// which a dead or stopped rank leaves waiting forever where the launcher does not end
/// the job (srun without `--kill-on-bad-exit`). The watching rank then logs which ranks
/// (and nodes) fell silent and calls MPI_Abort, the one way out of a blocking
/// collective. A loss the run's watch already reported (`note_lost_rank`) gets 15 s more,
/// so the run's own report and abort come first. A slow but live rank (a long
/// `setup_on_node`) keeps beating, so it is never taken for lost.
///
/// Made once per process by MpiSession on the main thread, before the first collective;
/// `name_nodes` from any thread.
class SessionWatch {
 public:
  /// Start beating over `comm` (MPI_COMM_WORLD: no other point-to-point traffic there,
  /// and a duplicate would itself be a blocking collective).
  SessionWatch(MPI_Comm comm, double silence_s);
  /// Stop the thread (the ranks met at the final barrier).
  ~SessionWatch();
  SessionWatch(const SessionWatch&) = delete;
  SessionWatch& operator=(const SessionWatch&) = delete;

  /// Name each rank's node (indexed by rank) in the loss message, once they are known.
  void name_nodes(std::vector<std::string> rank_nodes);

 private:
  void watch();
  [[noreturn]] void end_job(const std::vector<int>& silent);

  Heartbeat heartbeat_;
  double silence_s_;
  int rank_ = 0;
  int size_ = 1;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<std::string> rank_nodes_;
  std::thread thread_;
};

}  // namespace curate::backends::mpi
