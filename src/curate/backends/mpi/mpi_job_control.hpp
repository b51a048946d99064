#pragma once

#include "curate/backends/mpi/mpi_cluster.hpp"
#include "curate/backends/mpi/mpi_heartbeat.hpp"
#include "curate/backends/mpi/mpi_wait.hpp"
#include "curate/core/task.hpp"

#include <mpi.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace curate::backends::mpi {

/// Return a duplicate of `comm` whose errors are returned, not fatal. Collective.
MPI_Comm dup_comm(MPI_Comm comm);

/// The cooperation of the ranks in one MpiExecutor::execute: rank 0's task server (a
/// thread answering "next source task" requests on a communicator of its own), every
/// rank's listener (a thread waiting for another rank's failure notice, which raises the
/// abort flag and cancels the local run, and beating the job's Heartbeat: a rank that
/// falls silent for `silence_timeout_s()` is lost, which raises the lost flag on every
/// rank, so even the final agreement ends), the notices this rank sends, the live
/// counters of the other ranks (rank 0), and the communicator of the final agreement.
/// From `start` to `stop_watching` its heartbeats are the rank's watch (the session's
/// watch only beats meanwhile, see begin_run_watch); before and after, the SessionWatch
/// covers the ranks' blocking collectives.
/// Made by every rank, after the source tasks are known (the constructor is collective:
/// it makes three communicators); `next` is called by the LocalRun's feeder thread,
/// `notify_failure` and `remote_progress` from any thread, the rest by the executor's
/// thread.
class JobControl {
 public:
  /// Serve `tasks` source tasks to the ranks `requesters` (the working ranks, in order).
  JobControl(const MpiCluster& cluster, std::vector<int> requesters, std::uint64_t tasks);
  /// Stop and join the threads; free the communicators unless a failure may have left
  /// requests pending on them.
  ~JobControl();
  JobControl(const JobControl&) = delete;
  JobControl& operator=(const JobControl&) = delete;

  const std::shared_ptr<AbortFlag>& abort() const { return abort_; }
  /// Raised (with abort) once a rank is lost: what the final agreement waits on.
  const std::shared_ptr<AbortFlag>& lost() const { return lost_; }
  MPI_Comm final_comm() const { return final_; }

  /// Start the threads; `cancel_local` cancels this rank's run (called by the listener on
  /// another rank's failure or loss); `counters` gives this rank's live counters for its
  /// heartbeats. Once.
  void start(std::function<void(const std::string&)> cancel_local,
             std::function<std::string()> counters);

  /// Give the next source task to this rank's LocalRun: set `task` and its `index` and
  /// return true, or return false when none is left. The feeder thread only.
  bool next(TaskPtr& task, std::uint32_t& index, const std::vector<TaskPtr>& sources);

  /// Tell every other rank that this one failed (once), and stop waiting on them. Any
  /// thread.
  void notify_failure(const std::string& reason);

  /// Return true once another rank's failure notice arrived. Any thread.
  bool heard_remote() const { return heard_remote_.load(); }

  /// Stop counting silence as loss: the ranks met after the run (the session's watch
  /// takes over).
  void stop_watching();

  /// Return the last counters every other rank sent (rank 0; "" where none), by rank.
  std::vector<std::string> remote_progress() const;

  /// Wait for rank 0's task server to end (it ends once every rank heard "no more").
  void join_server();

 private:
  std::int64_t take_index();
  void serve();
  void listen();
  void declare_lost(int silent);
  void receive_lost_notice();
  void end_run_watch_once();

  // The buffers of the task requests and replies. A failure ends a wait with its request
  // still pending, and MPI may write into the buffer later (a reply that was on its way),
  // so they are not on a thread's stack, and they are kept to the end of the process
  // when the job failed (see the destructor).
  struct RequestBuffers {
    int ask = 1;
    std::int64_t got = -1;
    int served_ask = 0;
    std::int64_t served_reply = 0;
  };

  const MpiCluster& cluster_;
  std::shared_ptr<RequestBuffers> buffers_ = std::make_shared<RequestBuffers>();
  MPI_Comm control_;
  MPI_Comm final_;
  MPI_Comm beat_;
  std::shared_ptr<AbortFlag> abort_;
  std::shared_ptr<AbortFlag> lost_;
  std::unique_ptr<Heartbeat> heartbeat_;
  std::vector<int> requesters_;
  bool wants_tasks_ = false;
  bool started_ = false;  // used by the feeder thread only
  int position_ = -1;     // this rank's place among the working ranks
  std::uint64_t reserved_ = 0;
  std::uint64_t tasks_;
  std::atomic<std::uint64_t> next_{0};
  std::atomic<bool> stop_{false};
  std::atomic<bool> notified_{false};
  std::atomic<bool> heard_remote_{false};
  std::atomic<bool> run_watch_open_{false};
  std::string notice_;
  std::string lost_notice_;  // the buffer of the lost notices sent (they must outlive it)
  std::function<void(const std::string&)> cancel_local_;
  std::thread listener_;
  std::thread server_;
};

}  // namespace curate::backends::mpi
