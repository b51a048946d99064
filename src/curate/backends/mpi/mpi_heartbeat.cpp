#include "curate/backends/mpi/mpi_heartbeat.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <thread>

namespace curate::backends::mpi {
namespace {

constexpr int kBeatTag = 7;

// Send buffers whose sends had not gone when their heartbeat ended: MPI may still read
// them, so they live to the end of the process (reachable, not leaked).
std::mutex& orphan_mutex() {
  static std::mutex mutex;
  return mutex;
}
std::vector<std::unique_ptr<std::string>>& orphans() {
  static std::vector<std::unique_ptr<std::string>> buffers;
  return buffers;
}

}  // namespace

double silence_timeout_s() {
  if (const char* value = std::getenv("CURATE_MPI_SILENCE_TIMEOUT_S")) {
    const double seconds = std::atof(value);
    if (seconds > 0) return seconds;
  }
  return 30.0;
}

Heartbeat::Heartbeat(MPI_Comm comm, std::uint64_t run, double interval_s, double silence_s,
                     std::function<std::string()> counters)
    : comm_(comm),
      run_(run),
      interval_(interval_s),
      silence_s_(silence_s),
      counters_(std::move(counters)) {
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);
  const auto now = Clock::now();
  next_beat_ = now;
  last_heard_.assign(static_cast<std::size_t>(size_), now);
  outgoing_.resize(static_cast<std::size_t>(size_));
  counters_of_.resize(static_cast<std::size_t>(size_));
}

Heartbeat::~Heartbeat() {
  const auto until = Clock::now() + std::chrono::milliseconds(200);
  for (Outgoing& out : outgoing_) {
    while (out.request != MPI_REQUEST_NULL) {
      int done = 0;
      MPI_Test(&out.request, &done, MPI_STATUS_IGNORE);
      if (done != 0 || Clock::now() > until) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (out.request != MPI_REQUEST_NULL) {
      MPI_Request_free(&out.request);
      std::lock_guard lock(orphan_mutex());
      orphans().emplace_back(out.bytes);
    } else {
      delete out.bytes;
    }
  }
}

void Heartbeat::receive() {
  while (true) {
    int arrived = 0;
    MPI_Status status;
    if (MPI_Iprobe(MPI_ANY_SOURCE, kBeatTag, comm_, &arrived, &status) != MPI_SUCCESS ||
        arrived == 0) {
      return;
    }
    int length = 0;
    MPI_Get_count(&status, MPI_CHAR, &length);
    incoming_.resize(static_cast<std::size_t>(std::max(length, 0)));
    if (MPI_Recv(incoming_.data(), length, MPI_CHAR, status.MPI_SOURCE, kBeatTag, comm_,
                 MPI_STATUS_IGNORE) != MPI_SUCCESS) {
      return;
    }
    std::uint64_t run = 0;
    if (incoming_.size() < sizeof run) continue;
    std::memcpy(&run, incoming_.data(), sizeof run);
    if (run != run_) continue;  // an earlier run's late beat
    const auto source = static_cast<std::size_t>(status.MPI_SOURCE);
    last_heard_[source] = Clock::now();
    if (rank_ == 0) {
      std::lock_guard lock(mutex_);
      counters_of_[source].assign(incoming_, sizeof run);
    }
  }
}

void Heartbeat::send(int peer, std::string payload) {
  Outgoing& out = outgoing_[static_cast<std::size_t>(peer)];
  if (out.request != MPI_REQUEST_NULL) {
    int done = 0;
    MPI_Test(&out.request, &done, MPI_STATUS_IGNORE);
    if (done == 0) return;  // the last beat has not gone: this one would only queue up
  }
  if (out.bytes == nullptr) out.bytes = new std::string();
  out.bytes->assign(reinterpret_cast<const char*>(&run_), sizeof run_);
  *out.bytes += payload;
  MPI_Isend(out.bytes->data(), static_cast<int>(out.bytes->size()), MPI_CHAR, peer, kBeatTag, comm_,
            &out.request);
}

int Heartbeat::poll() {
  receive();
  const auto now = Clock::now();
  if (now >= next_beat_) {
    next_beat_ = now + std::chrono::duration_cast<Clock::duration>(interval_);
    if (rank_ == 0) {
      for (int peer = 1; peer < size_; ++peer) send(peer, std::string());
    } else {
      send(0, counters_ ? counters_() : std::string());
    }
  }
  if (!watching_.load()) return -1;
  for (int peer = 0; peer < size_; ++peer) {
    if (peer == rank_ || (rank_ != 0 && peer != 0)) continue;
    if (silent_for(peer) > silence_s_) return peer;
  }
  return -1;
}

void Heartbeat::stop_watching() { watching_.store(false); }

std::vector<std::string> Heartbeat::counters_of() const {
  std::lock_guard lock(mutex_);
  return counters_of_;
}

double Heartbeat::silent_for(int rank) const {
  return std::chrono::duration<double>(Clock::now() - last_heard_[static_cast<std::size_t>(rank)])
      .count();
}

}  // namespace curate::backends::mpi
