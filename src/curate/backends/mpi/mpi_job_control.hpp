#pragma once

#include "curate/backends/mpi/mpi_cluster.hpp"
#include "curate/backends/mpi/mpi_heartbeat.hpp"
#include "curate/backends/mpi/mpi_session.hpp"
#include "curate/backends/mpi/mpi_wait.hpp"
#include "curate/core/task.hpp"

#include <mpi.h>
#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace curate::backends::mpi {

inline constexpr int kRequestTag = 1;
inline constexpr int kReplyTag = 2;
inline constexpr int kFailureTag = 3;
inline constexpr int kLostTag = 4;

/// Return a duplicate of `comm` whose errors are returned, not fatal. Collective.
inline MPI_Comm dup_comm(MPI_Comm comm) {
  MPI_Comm copy = MPI_COMM_NULL;
  check_mpi(MPI_Comm_dup(comm, &copy), "MPI_Comm_dup");
  MPI_Comm_set_errhandler(copy, MPI_ERRORS_RETURN);
  return copy;
}

/// The cooperation of the ranks in one MpiExecutor::execute: rank 0's task server (a
/// thread answering "next source task" requests on a communicator of its own), every
/// rank's listener (a thread waiting for another rank's failure notice, which raises the
/// abort flag and cancels the local run, and beating the job's Heartbeat: a rank that
/// falls silent for `silence_timeout_s()` is lost, which raises the lost flag on every
/// rank, so even the final agreement ends), the notices this rank sends, the live
/// counters of the other ranks (rank 0), and the communicator of the final agreement.
/// Made by every rank, after the source tasks are known; `next` is called by the
/// LocalRun's feeder thread, `notify_failure` and `remote_progress` from any thread, the
/// rest by the executor's thread.
class JobControl {
 public:
  JobControl(const MpiCluster& cluster, std::vector<int> requesters, std::uint64_t tasks)
      : cluster_(cluster),
        control_(dup_comm(cluster.comm())),
        final_(dup_comm(cluster.comm())),
        beat_(dup_comm(cluster.comm())),
        abort_(std::make_shared<AbortFlag>()),
        lost_(std::make_shared<AbortFlag>()),
        requesters_(std::move(requesters)),
        tasks_(tasks) {
    const auto me = std::find(requesters_.begin(), requesters_.end(), cluster_.rank());
    wants_tasks_ = me != requesters_.end();
    position_ = wants_tasks_ ? static_cast<int>(me - requesters_.begin()) : -1;
    reserved_ = std::min<std::uint64_t>(requesters_.size(), tasks_);
    next_.store(reserved_);
  }

  ~JobControl() {
    stop_.store(true);
    if (listener_.joinable()) listener_.join();
    if (server_.joinable()) server_.join();
    heartbeat_.reset();
    // After a failure requests may be pending on these: leave them to the job's end.
    if (!abort_->raised()) {
      MPI_Comm_free(&control_);
      MPI_Comm_free(&final_);
      MPI_Comm_free(&beat_);
    }
  }

  const std::shared_ptr<AbortFlag>& abort() const { return abort_; }
  /// Raised (with abort) once a rank is lost: what the final agreement waits on.
  const std::shared_ptr<AbortFlag>& lost() const { return lost_; }
  MPI_Comm final_comm() const { return final_; }

  /// Start the threads; `counters` gives this rank's live counters for its heartbeats.
  void start(std::function<void(const std::string&)> cancel_local,
             std::function<std::string()> counters) {
    cancel_local_ = std::move(cancel_local);
    // Every rank makes its JobControls in the same order, so the numbers match.
    static std::atomic<std::uint64_t> runs{0};
    heartbeat_ =
        std::make_unique<Heartbeat>(beat_, ++runs, 0.5, silence_timeout_s(), std::move(counters));
    listener_ = std::thread([this] { listen(); });
    if (cluster_.rank() == 0) server_ = std::thread([this] { serve(); });
  }

  // The feed of this rank's LocalRun.
  bool next(TaskPtr& task, std::uint32_t& index, const std::vector<TaskPtr>& sources) {
    if (!started_) {
      // Every working rank's first task is reserved for it (the k-th working rank takes
      // task k), the rest go to whoever asks first: rank 0, nearest to the counter, would
      // otherwise take a small corpus whole before the others' first requests arrive.
      started_ = true;
      if (position_ >= 0 && static_cast<std::uint64_t>(position_) < reserved_) {
        index = static_cast<std::uint32_t>(position_);
        task = sources.at(index);
        return true;
      }
    }
    if (!wants_tasks_) return false;
    std::int64_t got = -1;
    if (cluster_.rank() == 0) {
      got = take_index();
    } else {
      int ask = 1;
      MPI_Request request = MPI_REQUEST_NULL;
      check_mpi(MPI_Isend(&ask, 1, MPI_INT, 0, kRequestTag, control_, &request), "task request");
      wait_or_abort(request, abort_.get(), "task request to rank 0");
      check_mpi(MPI_Irecv(&got, 1, MPI_INT64_T, 0, kReplyTag, control_, &request), "task reply");
      wait_or_abort(request, abort_.get(), "task reply from rank 0");
    }
    if (got < 0) return false;
    index = static_cast<std::uint32_t>(got);
    task = sources.at(static_cast<std::size_t>(got));
    return true;
  }

  // Tell every other rank that this one failed (once), and stop waiting on them.
  void notify_failure(const std::string& reason) {
    abort_->raise(reason);
    if (notified_.exchange(true)) return;
    notice_ = reason;
    for (int r = 0; r < cluster_.size(); ++r) {
      if (r == cluster_.rank()) continue;
      MPI_Request request = MPI_REQUEST_NULL;
      MPI_Isend(notice_.data(), static_cast<int>(notice_.size()), MPI_CHAR, r, kFailureTag,
                control_, &request);
      MPI_Request_free(&request);
    }
  }

  // True once another rank's failure notice arrived.
  bool heard_remote() const { return heard_remote_.load(); }

  /// Stop counting silence as loss: the ranks met after the run.
  void stop_watching() {
    if (heartbeat_) heartbeat_->stop_watching();
  }

  /// Return the last counters every other rank sent (rank 0; "" where none), by rank.
  std::vector<std::string> remote_progress() const {
    return heartbeat_ ? heartbeat_->counters_of() : std::vector<std::string>();
  }

  void join_server() {
    if (server_.joinable()) server_.join();
  }

 private:
  std::int64_t take_index() {
    const std::uint64_t next = next_.fetch_add(1);
    return next < tasks_ ? static_cast<std::int64_t>(next) : -1;
  }

  void serve() {
    // Every requesting rank but this one ends with one "no more" reply.
    int open = 0;
    for (int r : requesters_) open += r != 0 ? 1 : 0;
    try {
      while (open > 0 && !abort_->raised()) {
        int ask = 0;
        MPI_Status status;
        MPI_Request request = MPI_REQUEST_NULL;
        check_mpi(MPI_Irecv(&ask, 1, MPI_INT, MPI_ANY_SOURCE, kRequestTag, control_, &request),
                  "task server");
        wait_or_abort(request, abort_.get(), "task server", 0.0, &status);
        std::int64_t reply = take_index();
        if (reply < 0) --open;
        check_mpi(
            MPI_Isend(&reply, 1, MPI_INT64_T, status.MPI_SOURCE, kReplyTag, control_, &request),
            "task reply");
        wait_or_abort(request, abort_.get(), "task reply");
      }
    } catch (const std::exception& error) {
      spdlog::debug("rank 0 task server stopped: {}", error.what());
    }
  }

  void listen() {
    std::vector<char> buffer(64 * 1024);
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Status status;
    MPI_Irecv(buffer.data(), static_cast<int>(buffer.size()), MPI_CHAR, MPI_ANY_SOURCE, kFailureTag,
              control_, &request);
    // Runs to the end of the job, after a notice too: the heartbeats must go on while
    // the ranks meet, or a rank waiting there would take this one for lost.
    while (!stop_.load()) {
      int done = 0;
      if (request != MPI_REQUEST_NULL) MPI_Test(&request, &done, &status);
      if (done != 0) {
        int length = 0;
        MPI_Get_count(&status, MPI_CHAR, &length);
        const std::string reason(buffer.data(), static_cast<std::size_t>(std::max(length, 0)));
        heard_remote_.store(true);
        if (abort_->raise(reason)) cancel_local_(reason);
      }
      receive_lost_notice();
      const int silent = heartbeat_->poll();
      if (silent >= 0 && !lost_->raised()) declare_lost(silent);
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (request != MPI_REQUEST_NULL) {
      MPI_Cancel(&request);
      MPI_Wait(&request, MPI_STATUS_IGNORE);
    }
  }

  // Rank `silent` sent nothing for too long: every rank stops waiting for anyone.
  void declare_lost(int silent) {
    const auto node = cluster_.rank_nodes()[static_cast<std::size_t>(silent)];
    const std::string reason = fmt::format(
        "rank {} on node {} sent no heartbeat for {:.0f} s: it was killed, is stopped or "
        "hangs, or lost its network (CURATE_MPI_SILENCE_TIMEOUT_S sets the limit)",
        silent, cluster_.nodes()[static_cast<std::size_t>(node)].node_id,
        heartbeat_->silent_for(silent));
    lost_->raise(reason);
    note_lost_rank();
    heard_remote_.store(true);
    if (abort_->raise(reason)) cancel_local_(reason);
    lost_notice_ = reason;
    for (int r = 0; r < cluster_.size(); ++r) {
      if (r == cluster_.rank() || r == silent) continue;
      MPI_Request request = MPI_REQUEST_NULL;
      MPI_Isend(lost_notice_.data(), static_cast<int>(lost_notice_.size()), MPI_CHAR, r, kLostTag,
                control_, &request);
      MPI_Request_free(&request);
    }
  }

  void receive_lost_notice() {
    int arrived = 0;
    MPI_Status status;
    if (MPI_Iprobe(MPI_ANY_SOURCE, kLostTag, control_, &arrived, &status) != MPI_SUCCESS ||
        arrived == 0) {
      return;
    }
    int length = 0;
    MPI_Get_count(&status, MPI_CHAR, &length);
    std::string reason(static_cast<std::size_t>(std::max(length, 0)), '\0');
    MPI_Recv(reason.data(), length, MPI_CHAR, status.MPI_SOURCE, kLostTag, control_,
             MPI_STATUS_IGNORE);
    lost_->raise(reason);
    note_lost_rank();
    heard_remote_.store(true);
    if (abort_->raise(reason)) cancel_local_(reason);
  }

  const MpiCluster& cluster_;
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
  std::string notice_;
  std::string lost_notice_;  // the buffer of the lost notices sent (they must outlive it)
  std::function<void(const std::string&)> cancel_local_;
  std::thread listener_;
  std::thread server_;
};

}  // namespace curate::backends::mpi
