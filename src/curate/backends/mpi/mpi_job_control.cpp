#include "curate/backends/mpi/mpi_job_control.hpp"

#include "curate/backends/mpi/mpi_session.hpp"
#include "curate/backends/mpi/mpi_session_watch.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <mutex>

namespace curate::backends::mpi {
namespace {

constexpr int kRequestTag = 1;
constexpr int kReplyTag = 2;
constexpr int kFailureTag = 3;
constexpr int kLostTag = 4;

// Buffers that MPI may still write into (requests left pending by a failure): kept,
// reachable, to the end of the process.
void keep_to_exit(std::shared_ptr<void> buffers) {
  static std::mutex mutex;
  static std::vector<std::shared_ptr<void>> kept;
  std::lock_guard lock(mutex);
  kept.push_back(std::move(buffers));
}

}  // namespace

MPI_Comm dup_comm(MPI_Comm comm) {
  MPI_Comm copy = MPI_COMM_NULL;
  check_mpi(MPI_Comm_dup(comm, &copy), "MPI_Comm_dup");
  MPI_Comm_set_errhandler(copy, MPI_ERRORS_RETURN);
  return copy;
}

JobControl::JobControl(const MpiCluster& cluster, std::vector<int> requesters, std::uint64_t tasks)
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

JobControl::~JobControl() {
  stop_.store(true);
  if (listener_.joinable()) listener_.join();
  if (server_.joinable()) server_.join();
  heartbeat_.reset();
  end_run_watch_once();
  // After a failure requests may be pending on these and their buffers: leave them to
  // the job's end.
  if (abort_->raised()) keep_to_exit(buffers_);
  if (!abort_->raised()) {
    MPI_Comm_free(&control_);
    MPI_Comm_free(&final_);
    MPI_Comm_free(&beat_);
  }
}

void JobControl::start(std::function<void(const std::string&)> cancel_local,
                       std::function<std::string()> counters) {
  cancel_local_ = std::move(cancel_local);
  // Every rank makes its JobControls in the same order, so the numbers match.
  static std::atomic<std::uint64_t> runs{0};
  heartbeat_ =
      std::make_unique<Heartbeat>(beat_, ++runs, 0.5, silence_timeout_s(), std::move(counters));
  run_watch_open_.store(true);
  begin_run_watch();
  listener_ = std::thread([this] { listen(); });
  if (cluster_.rank() == 0) server_ = std::thread([this] { serve(); });
}

bool JobControl::next(TaskPtr& task, std::uint32_t& index, const std::vector<TaskPtr>& sources) {
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
    RequestBuffers& buffers = *buffers_;
    buffers.ask = 1;
    MPI_Request request = MPI_REQUEST_NULL;
    check_mpi(MPI_Isend(&buffers.ask, 1, MPI_INT, 0, kRequestTag, control_, &request),
              "task request");
    wait_or_abort(request, abort_.get(), "task request to rank 0");
    check_mpi(MPI_Irecv(&buffers.got, 1, MPI_INT64_T, 0, kReplyTag, control_, &request),
              "task reply");
    wait_or_abort(request, abort_.get(), "task reply from rank 0");
    got = buffers.got;
  }
  if (got < 0) return false;
  index = static_cast<std::uint32_t>(got);
  task = sources.at(static_cast<std::size_t>(got));
  return true;
}

void JobControl::notify_failure(const std::string& reason) {
  abort_->raise(reason);
  if (notified_.exchange(true)) return;
  notice_ = reason;
  for (int r = 0; r < cluster_.size(); ++r) {
    if (r == cluster_.rank()) continue;
    MPI_Request request = MPI_REQUEST_NULL;
    MPI_Isend(notice_.data(), static_cast<int>(notice_.size()), MPI_CHAR, r, kFailureTag, control_,
              &request);
    MPI_Request_free(&request);
  }
}

void JobControl::stop_watching() {
  if (heartbeat_) heartbeat_->stop_watching();
  end_run_watch_once();
}

std::vector<std::string> JobControl::remote_progress() const {
  return heartbeat_ ? heartbeat_->counters_of() : std::vector<std::string>();
}

void JobControl::join_server() {
  if (server_.joinable()) server_.join();
}

void JobControl::end_run_watch_once() {
  if (run_watch_open_.exchange(false)) end_run_watch();
}

std::int64_t JobControl::take_index() {
  const std::uint64_t next = next_.fetch_add(1);
  return next < tasks_ ? static_cast<std::int64_t>(next) : -1;
}

void JobControl::serve() {
  // Every requesting rank but this one ends with one "no more" reply.
  int open = 0;
  for (int r : requesters_) open += r != 0 ? 1 : 0;
  try {
    RequestBuffers& buffers = *buffers_;
    while (open > 0 && !abort_->raised()) {
      MPI_Status status;
      MPI_Request request = MPI_REQUEST_NULL;
      check_mpi(MPI_Irecv(&buffers.served_ask, 1, MPI_INT, MPI_ANY_SOURCE, kRequestTag, control_,
                          &request),
                "task server");
      wait_or_abort(request, abort_.get(), "task server", 0.0, &status);
      buffers.served_reply = take_index();
      if (buffers.served_reply < 0) --open;
      check_mpi(MPI_Isend(&buffers.served_reply, 1, MPI_INT64_T, status.MPI_SOURCE, kReplyTag,
                          control_, &request),
                "task reply");
      wait_or_abort(request, abort_.get(), "task reply");
    }
  } catch (const std::exception& error) {
    spdlog::debug("rank 0 task server stopped: {}", error.what());
  }
}

void JobControl::listen() {
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
void JobControl::declare_lost(int silent) {
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

void JobControl::receive_lost_notice() {
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

}  // namespace curate::backends::mpi
