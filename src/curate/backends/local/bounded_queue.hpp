#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
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

  /// Queue `count` items ahead of anything pushed later, ignoring the capacity, made one
  /// by one by `make(index)` as they are popped: the executor's initial tasks, which
  /// already sit in memory and so need no second copy. Called once, before consumers
  /// start; `make` is called under the queue's lock.
  void fill(std::size_t count, std::function<T(std::size_t)> make) {
    std::lock_guard lock(mutex_);
    backlog_size_ = count;
    backlog_next_ = 0;
    make_ = std::move(make);
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
  std::size_t pop(std::vector<T>& out, std::size_t batch, bool* waited = nullptr) {
    std::unique_lock lock(mutex_);
    const auto ready = [&] { return queued() >= batch || closed_ || cancelled_; };
    if (waited != nullptr) *waited = !ready();
    not_empty_.wait(lock, ready);
    if (cancelled_) return 0;
    const std::size_t count = std::min(batch, queued());
    for (std::size_t i = 0; i < count; ++i) {
      if (backlog_next_ < backlog_size_) {
        out.push_back(make_(backlog_next_++));
      } else {
        out.push_back(std::move(items_.front()));
        items_.pop_front();
      }
    }
    if (make_ && backlog_next_ == backlog_size_) make_ = nullptr;  // frees what it holds
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
  /// items still queued are dropped. Called on failure; idempotent.
  void cancel() {
    std::deque<T> dropped;
    std::function<T(std::size_t)> dropped_backlog;
    {
      std::lock_guard lock(mutex_);
      cancelled_ = true;
      dropped.swap(items_);
      dropped_backlog.swap(make_);
      backlog_size_ = backlog_next_ = 0;
    }
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  /// Return the number of queued items (a snapshot, for progress display).
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return queued();
  }

  /// Return the capacity given at construction (at least 1).
  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t queued() const { return backlog_size_ - backlog_next_ + items_.size(); }

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> items_;
  std::function<T(std::size_t)> make_;  // the filled items, taken before `items_`
  std::size_t backlog_size_ = 0;
  std::size_t backlog_next_ = 0;
  bool closed_ = false;
  bool cancelled_ = false;
};

}  // namespace curate::backends::local
