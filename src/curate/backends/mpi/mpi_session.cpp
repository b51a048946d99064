#include "curate/backends/mpi/mpi_session.hpp"

#include "curate/backends/mpi/gpu_assignment.hpp"
#include "curate/backends/mpi/mpi_wait.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace curate::backends::mpi {
namespace {

std::mutex& session_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::shared_ptr<MpiCluster>& session_cluster() {
  static std::shared_ptr<MpiCluster> cluster;
  return cluster;
}

std::atomic<bool>& lost_rank() {
  static std::atomic<bool> lost{false};
  return lost;
}

// No rank can beat before MPI_Init returns, so a slow start cannot be told from a lost
// rank there: MPI_Init gets the silence timeout, but never less than this.
constexpr double kInitDeadlineFloor = 10.0;

// Bounds MPI_Init: a rank that never starts or dies before MPI_Init leaves the others
// waiting in its exchange of addresses, for good under srun without --kill-on-bad-exit
// (mpirun ends such a job itself). Past the deadline this rank says so and exits, and
// once every waiting rank did, the launcher ends the job.
class InitDeadline {
 public:
  explicit InitDeadline(double seconds) : thread_([this, seconds] { wait(seconds); }) {}
  ~InitDeadline() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_changed_.notify_all();
    thread_.join();
  }
  InitDeadline(const InitDeadline&) = delete;
  InitDeadline& operator=(const InitDeadline&) = delete;

 private:
  void wait(double seconds) {
    std::unique_lock lock(mutex_);
    if (done_changed_.wait_for(lock, std::chrono::duration<double>(seconds),
                               [this] { return done_; }))
      return;
    const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
    if (rank == nullptr) rank = std::getenv("PMIX_RANK");
    if (rank == nullptr) rank = std::getenv("SLURM_PROCID");
    std::fprintf(stderr,
                 "curate: rank %s: MPI_Init did not complete within %.0f s: a rank of the job did "
                 "not start or died while starting (CURATE_MPI_SILENCE_TIMEOUT_S sets the limit, "
                 "at least %.0f s here); ending this rank\n",
                 rank != nullptr ? rank : "?", seconds, kInitDeadlineFloor);
    std::fflush(stderr);
    std::_Exit(1);
  }

  std::mutex mutex_;
  std::condition_variable done_changed_;
  bool done_ = false;
  std::thread thread_;  // last: it starts once the members above exist
};

}  // namespace

void note_lost_rank() { lost_rank().store(true); }

bool lost_rank_noted() { return lost_rank().load(); }

bool launched_by_mpi() {
  for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"}) {
    if (std::getenv(variable) != nullptr) return true;
  }
  return false;
}

MpiSession::MpiSession() {
  if (!launched_by_mpi()) return;
  int provided = MPI_THREAD_SINGLE;
  int initialised = MPI_SUCCESS;
  {
    const InitDeadline deadline(std::max(silence_timeout_s(), kInitDeadlineFloor));
    initialised = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided);
  }
  if (initialised != MPI_SUCCESS) {
    throw std::runtime_error(
        "MPI_Init_thread failed; check the launcher (mpirun, srun --mpi=pmix)");
  }
  if (provided < MPI_THREAD_MULTIPLE) {
    MPI_Finalize();
    throw std::runtime_error(
        "this MPI library does not provide MPI_THREAD_MULTIPLE, which curate's MPI executor "
        "needs; use an Open MPI built with thread support (Debian's is)");
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  // Before the first collective: from here on a rank that dies or stops ends the job.
  watch_ = std::make_unique<SessionWatch>(MPI_COMM_WORLD, silence_timeout_s());
  MPI_Comm_dup(MPI_COMM_WORLD, &finish_comm_);
  cluster_ = std::make_shared<MpiCluster>(MPI_COMM_WORLD);
  std::vector<std::string> rank_nodes;
  for (int node : cluster_->rank_nodes()) {
    rank_nodes.push_back(cluster_->nodes()[static_cast<std::size_t>(node)].node_id);
  }
  watch_->name_nodes(std::move(rank_nodes));
  // After the node leaders counted the node's GPUs: each rank keeps its share of them.
  assign_gpus_to_local_rank(cluster_->local_rank(), cluster_->local_size());
  {
    std::lock_guard lock(session_mutex());
    session_cluster() = cluster_;
  }
  scope_.emplace(cluster_);
}

MpiSession::~MpiSession() { finish(0); }

std::shared_ptr<MpiCluster> MpiSession::cluster() {
  std::lock_guard lock(session_mutex());
  return session_cluster();
}

int MpiSession::finish(int status) {
  if (finished_ || !active()) return status;
  finished_ = true;
  bool together = true;
  MPI_Request request = MPI_REQUEST_NULL;
  try {
    // A lost rank never comes: rank 0, which reported the job's error, ends it at once;
    // the others wait a little for that (so the report is not cut off), then end it too.
    const bool lost = lost_rank().load();
    if (lost && cluster_->rank() == 0) throw std::runtime_error("a rank of the job was lost");
    check_mpi(MPI_Ibarrier(finish_comm_, &request), "MPI_Ibarrier");
    wait_or_abort(request, nullptr, "the final barrier", lost ? 5.0 : 10.0);
    watch_.reset();  // every rank came: none can be lost any more
  } catch (const std::exception& error) {
    together = false;
    spdlog::error("rank {}: {}; ending the job", cluster_->rank(), error.what());
  }
  scope_.reset();
  {
    std::lock_guard lock(session_mutex());
    session_cluster().reset();
  }
  if (!together) MPI_Abort(MPI_COMM_WORLD, status == 0 ? 1 : status);
  cluster_.reset();
  MPI_Finalize();
  return status;
}

}  // namespace curate::backends::mpi
