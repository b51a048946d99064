#pragma once

#include "curate/backends/local/bounded_queue.hpp"
#include "curate/backends/local/run_state.hpp"

#include <vector>

namespace curate::backends::local {

/// Where a segment's workers put their outputs: the next segment's input queue, or the
/// run's result. Thread-safe across workers.
class ItemSink {
 public:
  virtual ~ItemSink() = default;
  /// Hand over one output of worker `worker`, blocking while the receiver is full.
  /// Return false when the run was cancelled (the item is dropped).
  virtual bool push(int worker, Item item) = 0;
  /// Say that no more items will come; called once, by the segment's last worker.
  virtual void close() = 0;
};

/// Feed the next segment's bounded queue: this is where backpressure happens.
class QueueSink final : public ItemSink {
 public:
  /// Push into `queue`, which outlives the sink.
  explicit QueueSink(BoundedQueue<Item>& queue) : queue_(queue) {}
  bool push(int, Item item) override { return queue_.push(std::move(item)); }
  void close() override { queue_.close(); }

 private:
  BoundedQueue<Item>& queue_;
};

/// Collect the last stage's outputs, one list per worker (no lock on the hot path), and
/// put them in order at the end; or, with `discard`, only count them (for pipelines whose
/// last stage writes its own results, so memory stays bounded).
class ResultSink final : public ItemSink {
 public:
  /// Collect (or count) for a segment of `workers` workers.
  ResultSink(int workers, bool discard)
      : per_worker_(static_cast<std::size_t>(workers)),
        discarded_(static_cast<std::size_t>(workers)),
        discard_(discard) {}
  bool push(int worker, Item item) override;
  void close() override {}

  /// Return every collected task ordered by order key, i.e. in the order a sequential run
  /// would give. Each worker's list is usually sorted already (workers take inputs in
  /// queue order), so this is a check plus an O(n log workers) merge. Empty when
  /// discarding. Called once, after every worker joined.
  std::vector<TaskPtr> take_ordered();

  /// Return how many items were pushed (collected or discarded). Call after the join.
  std::size_t count() const;

 private:
  struct alignas(128) Count {  // one pair of cache lines per worker: no false sharing
    std::size_t value = 0;
  };
  std::vector<std::vector<Item>> per_worker_;
  std::vector<Count> discarded_;
  bool discard_;
};

}  // namespace curate::backends::local
