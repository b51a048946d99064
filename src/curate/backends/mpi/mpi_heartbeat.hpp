#pragma once

#include <mpi.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace curate::backends::mpi {

/// Return the seconds after which a rank that sent no heartbeat counts as lost:
/// `CURATE_MPI_SILENCE_TIMEOUT_S` when set (> 0), else 30. Read on every call.
double silence_timeout_s();

/// The signs of life of one watched span of an MPI job (one MpiExecutor::execute, or the
/// session watch's, from MPI_Init to the final barrier): every rank but 0 sends rank 0
/// its live counters (an opaque string) every `interval`, and rank 0 sends every other
/// rank an empty beat as often. Each side notes when it last heard from the other, so a rank
/// that was killed, hangs (stopped) or lost its network is found by the ranks that wait
/// for it, which no collective would tell them. All messages are non-blocking on a
/// communicator of its own (one send in flight per peer; a beat whose previous send has
/// not gone is skipped), received with MPI_Iprobe, and tagged with the run's number so
/// that a late beat of an earlier run (a reused communicator id) is ignored.
///
/// `poll` is called by one thread (the job's listener) every few milliseconds;
/// `counters_of` from any thread.
class Heartbeat {
 public:
  /// Beat over `comm` (owned by the caller, kept until the job ends) for run `run`; the
  /// counters to send come from `counters` (called on the polling thread).
  Heartbeat(MPI_Comm comm, std::uint64_t run, double interval_s, double silence_s,
            std::function<std::string()> counters);
  /// Let the sends in flight go (up to 200 ms); a send still pending then keeps its
  /// buffer to the end of the process (its memory must outlive the send).
  ~Heartbeat();
  Heartbeat(const Heartbeat&) = delete;
  Heartbeat& operator=(const Heartbeat&) = delete;

  /// Receive what arrived, send the beats that are due, and return the first rank heard
  /// from longer than `silence_s` ago (rank 0 watches every rank, the others rank 0),
  /// or -1. Once `stop_watching` was called it returns -1.
  int poll();
  /// Stop reporting silence (the ranks met after the run; they leave at their own pace).
  /// Any thread.
  void stop_watching();
  /// Return the last counters each rank sent (rank 0 only; "" for none and for rank 0),
  /// indexed by rank. Thread-safe.
  std::vector<std::string> counters_of() const;
  /// Return the seconds since `rank` was last heard from. Called by the polling thread.
  double silent_for(int rank) const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Outgoing {
    MPI_Request request = MPI_REQUEST_NULL;
    std::string* bytes = nullptr;  // owned; handed to the process on a pending close
  };
  void receive();
  void send(int peer, std::string payload);

  MPI_Comm comm_;
  std::uint64_t run_;
  int rank_ = 0;
  int size_ = 1;
  std::chrono::duration<double> interval_;
  double silence_s_;
  std::function<std::string()> counters_;
  std::atomic<bool> watching_{true};
  Clock::time_point next_beat_;
  std::vector<Clock::time_point> last_heard_;
  std::vector<Outgoing> outgoing_;
  std::string incoming_;
  mutable std::mutex mutex_;
  std::vector<std::string> counters_of_;
};

}  // namespace curate::backends::mpi
