#pragma once

#include "curate/backends/local/bounded_queue.hpp"
#include "curate/backends/local/cancellable_barrier.hpp"
#include "curate/backends/local/execution_plan.hpp"
#include "curate/backends/local/item_sink.hpp"
#include "curate/backends/local/local_gang.hpp"
#include "curate/backends/local/run_hooks.hpp"
#include "curate/backends/local/run_state.hpp"
#include "curate/backends/local/stage_instance.hpp"
#include "curate/core/row_block.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace curate::backends::local {

/// What every segment of a run works with; owned by the run, outliving the segments.
struct SegmentContext {
  const ExecutionPlan* plan = nullptr;
  const SegmentPlan* segment = nullptr;
  BoundedQueue<Item>* input = nullptr;
  ItemSink* output = nullptr;
  RunState* run = nullptr;
  /// counters[i][worker] for the segment's i-th stage
  std::vector<std::vector<StageWorkerCounters>*> counters;
  NodeInfo node;
  /// the run's hooks (never null; empty for a plain local run)
  const RunHooks* hooks = nullptr;
};

/// A group of stages with one worker pool: the run starts `workers()` threads, each
/// calling `run_worker(index)` once. A worker never throws: it fails the run instead,
/// tears its instances down and, when it is the segment's last, closes the output.
class Segment {
 public:
  /// Prepare a segment. Constructed by the run before any worker starts, which is when
  /// subclasses register their cancel hooks (barrier, gang) with it.
  explicit Segment(SegmentContext context);
  virtual ~Segment() = default;
  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  /// Run worker `worker` to the end of input (or of the run). Called once per worker
  /// index, each on its own thread, all concurrently.
  virtual void run_worker(int worker) = 0;

  /// Return the number of workers to start.
  int workers() const { return context_.segment->workers; }

 protected:
  /// Create the instance of the segment's i-th stage for `worker`.
  StageInstance make_instance(std::size_t i, int worker, std::shared_ptr<curate::Gang> gang);
  /// Pop up to `batch` items for `worker` (through its reusable `buffer`) into `tasks`
  /// and `keys` (both replaced), setting `idle` to the time spent blocked (0 when the
  /// items were there, so the clock is not read) and `mark` to the end of the wait.
  /// Return false at the end of input or when the run was cancelled.
  bool pop_batch(int worker, std::vector<Item>& buffer, std::size_t batch,
                 std::vector<TaskPtr>& tasks, std::vector<std::string>& keys, Ticks& idle,
                 Ticks& mark);
  /// Push every task of `tasks` with its key downstream; false when the run was cancelled.
  bool push_all(int worker, std::vector<TaskPtr>& tasks, std::vector<std::string>& keys);
  /// Close the output if this was the last worker to finish. Called once per worker.
  void worker_done();

  SegmentContext context_;

 private:
  std::atomic<int> remaining_;
};

/// Stream tasks through one stage or a chain of fused task stages: each worker pops a
/// batch, runs it through the chain (each output of stage j goes alone to stage j+1) and
/// pushes the last stage's outputs downstream.
class StreamSegment final : public Segment {
 public:
  using Segment::Segment;
  void run_worker(int worker) override;

 private:
  // Depth-first through the chain; `keys[j]` holds the keys of stage j's current tasks and
  // `documents` their num_items() total when known.
  bool run_chain(std::vector<StageInstance>& chain, std::vector<std::vector<std::string>>& keys,
                 std::size_t j, std::vector<TaskPtr> tasks, std::size_t documents, Ticks idle,
                 Ticks& mark, int worker);
};

/// Run a ShuffleStage: every worker routes the inputs it pops into its own partition
/// buffers (one RowBlock per route call and partition); a barrier waits for all input;
/// then workers take partitions one by one, gather that partition's blocks from every
/// worker in input order, and reduce them.
/// Repeated for each round, re-routing the inputs each worker kept.
class ShuffleSegment final : public Segment {
 public:
  /// Prepare buffers for `context.segment->workers` workers and the stage's partitions.
  explicit ShuffleSegment(SegmentContext context);
  void run_worker(int worker) override;

 private:
  using Chunk = RoutedChunk;
  void route_round(StageInstance& instance, int worker, int round, std::vector<Item>& kept);
  void reduce_round(StageInstance& instance, int worker, int round);

  int partitions_ = 1;
  int rounds_ = 1;
  std::size_t row_width_ = 0;
  CancellableBarrier barrier_;
  std::shared_ptr<ShuffleExchange> exchange_;            // null: every partition reduced here
  std::vector<std::vector<std::vector<Chunk>>> routed_;  // [worker][partition]
  std::unique_ptr<std::atomic<int>[]> next_partition_;   // per round
};

/// Run a raft-actor stage as a gang: every member gets a Gang handle, takes inputs as
/// it is free, and, when all input is consumed, a GangStage's `finish` runs on every
/// member at once. In a process that holds no member (RunHooks::holds_gang_member), the
/// one worker only waits for the end of an input that must stay empty.
class GangSegment final : public Segment {
 public:
  /// Create the gang; the run's failure aborts it so no member hangs in a collective.
  explicit GangSegment(SegmentContext context);
  void run_worker(int worker) override;

 private:
  void pass_by(int worker);

  bool bystander_ = false;
  std::shared_ptr<LocalGangGroup> group_;   // null when the hooks give the gang
  std::shared_ptr<curate::Gang> external_;  // the hooks' gang (one local member)
};

/// Return the segment implementation for `context.segment->kind`.
std::unique_ptr<Segment> make_segment(SegmentContext context);

}  // namespace curate::backends::local
