#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace curate::backends::local {

/// A multi-producer multi-consumer FIFO holding at most `capacity` items: the
/// backpressure between two stages of the LocalExecutor. Producers block while it is
/// full; consumers block until a whole batch is there or no more will come. `close`
/// says producers are done; `cancel` (on failure) releases every waiter at once. All
/// methods are thread-safe.
template <typename T>
class BoundedQueue {
 public:
  /// Create a queue holding at most `capacity` items (at least 1).
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

  /// Queue `count` items, made one by one by `make(index)` as they are popped, and close
  /// the queue: the executor's initial tasks, which already sit in memory and so need no
  /// second copy, on a queue nobody pushes to. Called once, before consumers start.
  /// Consumers claim these items with atomic adds instead of the lock: with small tasks
  /// on two cores, the lock's cache line passing between workers on every pop cost 20% of
  /// the executor's CPU time. So `make` runs on the consumers' threads, several at once,
  /// each for its own indices.
  /// The items are split into `consumers` contiguous runs, and consumer c (the `consumer`
  /// argument of `pop`) claims from run c first, one batch at a time, then from the
  /// others' runs, where it helps whoever is behind. So each consumer walks its own
  /// memory in order, with its own claim counter, and nobody idles while items are left.
  /// One shared counter made the two workers of a 2-core run take items in an irregular
  /// interleave: 5% more CPU, from the counter's cache line moving between cores and an
  /// order of access the prefetcher cannot follow (a fixed stride-2 interleave alone cost
  /// nothing measurable).
  void fill_and_close(std::size_t count, std::function<T(std::size_t)> make,
                      std::size_t consumers = 1) {
    consumers = std::clamp<std::size_t>(consumers, 1, std::max<std::size_t>(count, 1));
    {
      std::lock_guard lock(mutex_);
      runs_ = std::make_unique<Run[]>(consumers);
      for (std::size_t c = 0; c < consumers; ++c) {
        runs_[c].next.store(count * c / consumers, std::memory_order_relaxed);
        runs_[c].end = count * (c + 1) / consumers;
      }
      run_count_ = consumers;
      make_ = std::move(make);
      closed_ = true;
    }
    not_empty_.notify_all();
  }

  /// Append one item, blocking while the queue is full. Return false (dropping the item)
  /// when the queue was cancelled. Never called after `close`.
  bool push(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return items_.size() < capacity_ || cancelled_; });
    if (cancelled_) return false;
    items_.push_back(std::move(item));
    lock.unlock();
    not_empty_.notify_one();
    return true;
  }

  /// Move up to `batch` items to `out`, blocking until `batch` items are there or the
  /// queue is closed (then fewer may come). Return how many were moved: 0 means closed
  /// and drained, or cancelled. `waited`, when given, tells whether the call blocked.
  /// `consumer` (0 to consumers - 1) says whose run of filled items to claim from first.
  std::size_t pop(std::vector<T>& out, std::size_t batch, bool* waited = nullptr,
                  std::size_t consumer = 0) {
    if (waited != nullptr) *waited = false;
    if (run_count_ != 0) {
      if (const std::size_t claimed = pop_backlog(out, batch, consumer); claimed != 0) {
        return claimed;
      }
    }
    std::unique_lock lock(mutex_);
    const auto ready = [&] { return items_.size() >= batch || closed_ || cancelled_; };
    if (waited != nullptr) *waited = !ready();
    not_empty_.wait(lock, ready);
    if (cancelled_) return 0;
    const std::size_t count = std::min(batch, items_.size());
    for (std::size_t i = 0; i < count; ++i) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    lock.unlock();
    if (count > 1) {
      not_full_.notify_all();
    } else if (count == 1) {
      not_full_.notify_one();
    }
    return count;
  }

  /// Mark the end of input: consumers drain what is left, then `pop` returns 0. Called
  /// once, by the last producer.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    not_empty_.notify_all();
  }

  /// Release every producer and consumer now and make later calls return at once; the
  /// items still queued are dropped (unclaimed filled items with the queue, as a consumer
  /// may be making one right now). Called on failure; idempotent.
  void cancel() {
    std::deque<T> dropped;
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
      cancelled_flag_.store(true, std::memory_order_release);
      dropped.swap(items_);
    }
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  /// Return the number of queued items (a snapshot, for progress display).
  std::size_t size() const {
    std::size_t unclaimed = 0;
    for (std::size_t c = 0; c < run_count_; ++c) {
      const std::size_t next = runs_[c].next.load(std::memory_order_relaxed);
      if (next < runs_[c].end) unclaimed += runs_[c].end - next;
    }
    std::lock_guard lock(mutex_);
    return unclaimed + items_.size();
  }

  /// Return the capacity given at construction (at least 1).
  std::size_t capacity() const { return capacity_; }

 private:
  // Claim up to `batch` of the filled items, from `consumer`'s run first, then from the
  // next runs in turn. A claim that starts inside a run gets what is left of it; one that
  // starts past its end gets nothing, and that run is then drained for good (the queue is
  // closed, so no more come). Return 0 when every run is drained or the queue cancelled.
  std::size_t pop_backlog(std::vector<T>& out, std::size_t batch, std::size_t consumer) {
    std::size_t count = 0;
    for (std::size_t step = 0; step < run_count_ && count < batch; ++step) {
      Run& run = runs_[(consumer + step) % run_count_];
      // A load first, so drained runs are not written to (their lines stay shared).
      while (count < batch && run.next.load(std::memory_order_relaxed) < run.end) {
        if (cancelled_flag_.load(std::memory_order_acquire)) return count;
        const std::size_t want = batch - count;
        const std::size_t first = run.next.fetch_add(want, std::memory_order_relaxed);
        if (first >= run.end) break;
        const std::size_t got = std::min(want, run.end - first);
        for (std::size_t i = 0; i < got; ++i) out.push_back(make_(first + i));
        count += got;
      }
    }
    return count;
  }

  // One consumer's run of the filled items, [next, end), on its own pair of cache lines:
  // every claim writes `next`.
  struct alignas(128) Run {
    std::atomic<std::size_t> next{0};
    std::size_t end = 0;
  };

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_;
  // The filled items: set before consumers start, called by them without the lock, so
  // it lives as long as the queue (what it holds of claimed items is only moved-from).
  std::function<T(std::size_t)> make_;
  std::unique_ptr<Run[]> runs_;
  std::size_t run_count_ = 0;  // set before consumers start; 0 when nothing was filled
  std::atomic<bool> cancelled_flag_{false};  // `cancelled_`, for claims without the lock
  bool closed_ = false;
  bool cancelled_ = false;
};

}  // namespace curate::backends::local
