#pragma once

#include "curate/backends/local/tick_clock.hpp"
#include "curate/core/task.hpp"

#include <spdlog/logger.h>

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace curate::backends::local {

/// A task on its way through the LocalExecutor, with its order key: the big-endian
/// 32-bit position of its initial task, extended by the output position at every stage
/// that changes the number of tasks. Sorting by key gives the order a sequential run
/// would produce, whatever the worker count. Keys of up to 3 levels stay inline (SSO).
struct Item {
  TaskPtr task;
  std::string key;
};

/// Append `index` to an order key (4 bytes, big-endian, so byte order is numeric order).
void append_order_index(std::string& key, std::uint32_t index);

/// Own the outcome of one run across its threads: the first error, and the cancel hooks
/// (queues, barriers, gangs) that a failure trips so no thread stays blocked.
/// Hooks are registered before the workers start; `fail` may be called from any thread.
class RunState {
 public:
  /// Register `hook(reason)` to run once when the run fails. Not thread-safe: call
  /// before any worker starts.
  void on_cancel(std::function<void(const std::string&)> hook);

  /// Keep `error` if it is the first, log it (through `logger` when given: a worker's,
  /// so the record names stage, worker and node), then cancel the run: every hook is
  /// called once, with the error's message. Later errors are only logged at debug level.
  void fail(std::exception_ptr error, spdlog::logger* logger = nullptr);

  /// Cancel the run on the caller's request (its CancellationToken): as `fail` with a
  /// curate::RunCancelled(reason) as the error, logged at debug level only (the caller
  /// says what it wants to the user). Does nothing when the run already failed. Any thread.
  void cancel(const std::string& reason);

  /// Return true once the run failed. Cheap; polled by workers between calls.
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }

  /// Return the first error (null when none). Call after every worker joined.
  std::exception_ptr first_error() const;

  /// Return true when the run ended by `cancel` (not by a stage error). After the join.
  bool was_cancelled() const;

 private:
  void stop(std::exception_ptr error, spdlog::logger* logger, bool by_request);

  std::atomic<bool> cancelled_{false};
  mutable std::mutex mutex_;
  std::exception_ptr first_error_;
  bool by_request_ = false;
  std::vector<std::function<void(const std::string&)>> hooks_;
};

/// What one worker did for one stage. The live counters are written by that worker only
/// (a plain store of load + n) and read by `progress()` from any thread; the rest is read
/// after the worker joined. Aligned to 128 bytes, not 64, so that workers never share a
/// cache line nor a pair of lines: the L2's adjacent-line prefetcher fetches lines in
/// aligned pairs, and with 64 a worker's writes stalled the other's on the pair's other
/// half (`perf annotate` put StageInstance::record's counter load at 1% of a 2-core run).
/// The fields written on every call come first; the map, touched only when tasks report
/// dropped documents, comes last.
/// Items are counted in the unit of the tasks that hold them (Task::item_unit): a
/// reader takes files and gives documents.
struct alignas(128) StageWorkerCounters {
  std::atomic<std::uint64_t> tasks_done{0};
  std::atomic<std::uint64_t> items_in{0};
  std::atomic<std::uint64_t> tasks_out{0};
  std::atomic<std::uint64_t> items_out{0};
  std::atomic<const char*> unit_in{nullptr};  ///< a literal; null until an item came
  std::atomic<const char*> unit_out{nullptr};

  std::uint64_t instances = 0;
  std::uint64_t calls = 0;
  double process_time_s = 0.0;
  double idle_time_s = 0.0;
  bool active = false;  ///< set by the first call; first_start and last_end are valid
  Ticks first_start = 0;
  Ticks last_end = 0;
  std::map<std::string, std::uint64_t> dropped_by_reason;

  /// Add `n` to a live counter; only the owning worker calls this.
  static void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  /// Fold `unit` into a live unit (see curate::merge_item_unit); owning worker only.
  static void note_unit(std::atomic<const char*>& seen, const char* unit) {
    const char* current = seen.load(std::memory_order_relaxed);
    const char* merged = curate::merge_item_unit(current, unit);
    if (merged != current) seen.store(merged, std::memory_order_relaxed);
  }
};

}  // namespace curate::backends::local
