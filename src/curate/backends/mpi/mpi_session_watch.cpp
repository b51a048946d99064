#include "curate/backends/mpi/mpi_session_watch.hpp"

#include "curate/backends/mpi/mpi_session.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace curate::backends::mpi {
namespace {

std::atomic<int>& open_run_watches() {
  static std::atomic<int> open{0};
  return open;
}

// The session's beats are run 0; a run's are numbered from 1, on communicators of their own.
constexpr std::uint64_t kSessionRun = 0;
constexpr double kBeatInterval = 0.5;
// How much longer a loss that a run's watch reported is given before this watch ends the
// job itself: rank 0 reports at once and aborts; the others wait 5 s for that.
constexpr double kReportedLossGrace = 15.0;

}  // namespace

void begin_run_watch() { open_run_watches().fetch_add(1); }
void end_run_watch() { open_run_watches().fetch_sub(1); }

SessionWatch::SessionWatch(MPI_Comm comm, double silence_s)
    : heartbeat_(comm, kSessionRun, kBeatInterval, silence_s, nullptr), silence_s_(silence_s) {
  MPI_Comm_rank(comm, &rank_);
  MPI_Comm_size(comm, &size_);
  thread_ = std::thread([this] { watch(); });
}

SessionWatch::~SessionWatch() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void SessionWatch::name_nodes(std::vector<std::string> rank_nodes) {
  std::lock_guard lock(mutex_);
  rank_nodes_ = std::move(rank_nodes);
}

void SessionWatch::watch() {
  using Clock = std::chrono::steady_clock;
  Clock::time_point reported_loss_seen{};
  while (!stop_.load()) {
    // poll() also sends the beats that are due, so it runs whether a run watches or not.
    if (heartbeat_.poll() >= 0 && open_run_watches().load() == 0) {
      bool end = true;
      if (lost_rank_noted()) {
        // The run's watch found the loss first: its report and abort come first.
        if (reported_loss_seen == Clock::time_point{}) reported_loss_seen = Clock::now();
        end = std::chrono::duration<double>(Clock::now() - reported_loss_seen).count() >
              kReportedLossGrace;
      }
      if (end) {
        std::vector<int> silent;
        for (int peer = 0; peer < size_; ++peer) {
          if (peer == rank_ || (rank_ != 0 && peer != 0)) continue;
          if (heartbeat_.silent_for(peer) > silence_s_) silent.push_back(peer);
        }
        end_job(silent);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void SessionWatch::end_job(const std::vector<int>& silent) {
  std::string who;
  {
    std::lock_guard lock(mutex_);
    for (int peer : silent) {
      if (!who.empty()) who += ", ";
      who += fmt::format("rank {}", peer);
      if (static_cast<std::size_t>(peer) < rank_nodes_.size()) {
        who += fmt::format(" on node {}", rank_nodes_[static_cast<std::size_t>(peer)]);
      }
    }
  }
  const std::string message = fmt::format(
      "rank {}: {} sent no heartbeat for {:.0f} s outside a run (the job's start-up, node "
      "setup or a step between runs, where the ranks wait in blocking collectives): it was "
      "killed, is stopped or hangs, or lost its network (CURATE_MPI_SILENCE_TIMEOUT_S sets the "
      "limit); ending the job",
      rank_, who, silence_s_);
  spdlog::error("{}", message);
  spdlog::default_logger()->flush();
  std::fflush(stderr);
  std::fflush(stdout);
  MPI_Abort(MPI_COMM_WORLD, 1);
  std::_Exit(1);  // MPI_Abort does not return; should it, the job must still end
}

}  // namespace curate::backends::mpi
