#pragma once

#include <condition_variable>
#include <mutex>
#include <string>

namespace curate::backends::local {

/// A reusable barrier for a fixed number of threads that a failure can break: the
/// meeting point of a shuffle stage's workers between route and reduce, and of a gang's
/// members in every collective. Thread-safe.
class CancellableBarrier {
 public:
  /// Create a barrier for `parties` threads (at least 1).
  explicit CancellableBarrier(int parties);

  /// Block until `parties` threads arrived in the current phase, then release them all
  /// and start the next phase. Throw std::runtime_error (with the cancel reason) when
  /// the barrier is cancelled before or while waiting. Called by each party once per
  /// phase.
  void arrive_and_wait();

  /// Break the barrier: every waiting and later caller throws. Called on failure by any
  /// thread; idempotent (the first reason is kept).
  void cancel(const std::string& reason);

  /// Return the number of parties.
  int parties() const { return parties_; }

 private:
  const int parties_;
  std::mutex mutex_;
  std::condition_variable released_;
  int arrived_ = 0;
  unsigned long long phase_ = 0;
  bool cancelled_ = false;
  std::string reason_;
};

}  // namespace curate::backends::local
