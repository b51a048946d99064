#pragma once

#include "curate/core/cancellation.hpp"

#include <signal.h>

#include <atomic>
#include <thread>
#include <vector>

namespace curate::backends {

/// Turn SIGINT and SIGTERM into a cancellation, for a process that runs pipelines
/// (`curate run`, later the Python package). While it lives, the first of those signals
/// cancels `token` ("interrupted by SIGINT"), so the run stops the way a failure does:
/// no new task starts and every instance is torn down. A second signal ends the process
/// at once with status 128 + signal (`_exit`: no teardown, no stats).
///
/// The handler does only what is async-signal-safe: it records the signal in an atomic
/// and writes one byte to a pipe. A thread of the watcher reads the pipe and calls
/// `token.cancel`, which may take locks and run callbacks. Signal dispositions are
/// process-wide: at most one watcher may live at a time (a second one throws
/// std::logic_error); construct and destroy it on one thread. The destructor restores
/// the previous handlers and joins its thread.
class InterruptWatcher {
 public:
  /// Install the handlers for `signals` (default SIGINT and SIGTERM) and start the
  /// watching thread. Throws std::system_error when the pipe or a handler cannot be set.
  explicit InterruptWatcher(CancellationToken token, std::vector<int> signals = {});
  ~InterruptWatcher();
  InterruptWatcher(const InterruptWatcher&) = delete;
  InterruptWatcher& operator=(const InterruptWatcher&) = delete;

  /// Return the first signal received (0 when none yet). Thread-safe.
  int signal_received() const;

  /// Return the exit status a process should end with after `signal`: 128 + signal
  /// (130 for SIGINT, 143 for SIGTERM), as shells report a process killed by it. Pure.
  static int exit_status_for(int signal) { return 128 + signal; }

 private:
  void watch();
  void uninstall() noexcept;  // restore the handlers, stop the thread, close the pipe

  CancellationToken token_;
  std::vector<int> signals_;
  std::vector<struct sigaction> previous_;  // previous_[i] belongs to signals_[i]
  int pipe_[2] = {-1, -1};
  std::thread thread_;
};

}  // namespace curate::backends
