#pragma once

#include <mpi.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace curate::backends::mpi {

/// Why a rank stops waiting for other ranks: set once, by the thread that hears of a
/// failure (its own run's, or another rank's notice), read by every waiting thread.
/// Thread-safe.
class AbortFlag {
 public:
  /// Record `reason` if no reason is recorded yet; return true for the first call.
  bool raise(const std::string& reason);
  /// Return true once `raise` was called. Cheap; polled by waiting threads.
  bool raised() const { return raised_.load(std::memory_order_acquire); }
  /// Return the first reason ("" before `raise`).
  std::string reason() const;

 private:
  std::atomic<bool> raised_{false};
  std::atomic<bool> writing_{false};
  std::string reason_;
};

/// Wait for `request` to complete, polling (MPI_Test, then a short sleep) so the wait
/// can end early: throw std::runtime_error naming `what` when `abort` is raised, or
/// when `timeout_s` (> 0) passes. The request is left pending when the wait throws (the
/// job is ending). Called by any thread; MPI must be initialised with
/// MPI_THREAD_MULTIPLE.
void wait_or_abort(MPI_Request& request, const AbortFlag* abort, std::string_view what,
                   double timeout_s = 0.0, MPI_Status* status = nullptr);

/// As `wait_or_abort`, for a request whose buffers `buffers` owns. A collective cannot be
/// cancelled, so when the wait gives up the request stays pending and MPI may still write
/// into its buffers: they are then kept alive until the process exits (it is ending)
/// instead of being freed under MPI's feet.
void wait_or_abort_keeping(MPI_Request& request, std::shared_ptr<void> buffers,
                           const AbortFlag* abort, std::string_view what);

/// Wait for every request of `requests` as `wait_or_abort` does.
void wait_all_or_abort(std::vector<MPI_Request>& requests, const AbortFlag* abort,
                       std::string_view what);

/// Throw std::runtime_error "MPI error in <what>: <MPI's text>" when `code` is not
/// MPI_SUCCESS (communicators use MPI_ERRORS_RETURN so errors reach here).
void check_mpi(int code, std::string_view what);

}  // namespace curate::backends::mpi
