#pragma once

#include "curate/core/processing_stage.hpp"
#include "curate/core/row_block.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace curate {

/// Receive the rows a ShuffleStage routes: each row goes to one partition. Implemented by
/// executors: a router appends the rows of one route call to one RowBlock per partition
/// (LocalExecutor keeps the blocks in memory; MpiExecutor sends them to the partition's
/// owning rank with MPI_Alltoallv). One router serves one worker.
class ShuffleRouter {
 public:
  virtual ~ShuffleRouter() = default;
  /// Append `row` (opaque bytes, copied) to the current route call's block for
  /// `partition`, in [0, num_partitions()). Called by `ShuffleStage::route`, from one
  /// thread at a time per router; throws std::out_of_range for a partition outside the
  /// range and std::invalid_argument for a row whose size differs from a fixed
  /// `row_width()`.
  virtual void emit(int partition, std::string_view row) = 0;
};

/// An all-to-all stage (`is_shuffle_stage`; `is_lsh_stage` for band windows): every input
/// is split into rows routed by key to partitions; once all input is consumed (a barrier
/// across the stage's workers, or ranks), each partition is reduced independently.
///
/// The run happens in `num_rounds()` rounds; round r routes every input again with
/// `route(input, r, router)` and then reduces every partition. Between rounds only one
/// round's rows are held, which is how an LSH stage keeps memory bounded: it returns
/// ceil(num_bands / bands_per_iteration) rounds and routes only round r's band window.
/// Input tasks are kept until the last round (so they should be light: file references
/// or signatures, not whole documents). Deduplication stages implement this interface;
/// executors drive it, never `process`.
class ShuffleStage : public ProcessingStage {
 public:
  /// Return how many partitions rows are routed to (at least 1). Called by the executor
  /// on the prototype once per run, before any route.
  virtual int num_partitions() const = 0;

  /// Return how many route/reduce rounds to run (at least 1; default 1). Called once per
  /// run on the prototype. LSH stages return the number of band windows.
  virtual int num_rounds() const { return 1; }

  /// Return the width in bytes of every row `route` emits, or 0 (the default) when rows
  /// differ in length. Rows of a fixed width travel in blocks without offsets (the fast
  /// path). Called once per run on the prototype, before any route.
  virtual std::size_t row_width() const { return 0; }

  /// Split `input` into rows and hand each to `router`. Called once per input task per
  /// round, on any worker instance, concurrently across instances (one thread at a time
  /// per instance). Must be deterministic: the same input routes the same rows.
  virtual void route(const TaskPtr& input, int round, ShuffleRouter& router) = 0;

  /// Reduce every row routed to `partition` in `round` into output tasks (none is
  /// fine). Called once per non-empty partition per round, after every route of that
  /// round finished, on any instance, concurrently across instances. `blocks` holds one
  /// non-empty block per route call that emitted to `partition` (of width `row_width()`),
  /// in the order of their inputs in the stream, and rows within a block in emission
  /// order: the same for every worker count. Outputs without an id get
  /// `<stage>_r<round>_p<partition>_<i>`.
  virtual std::vector<TaskPtr> reduce(int round, int partition, std::vector<RowBlock> blocks) = 0;

  /// Throw std::logic_error: a shuffle stage runs through route and reduce only.
  std::vector<TaskPtr> process(TaskPtr task) override;

  /// Return the spec of a shuffle stage: `is_shuffle_stage` set.
  StageSpec ray_stage_spec() const override;

 protected:
  using ProcessingStage::ProcessingStage;
};

/// A raft-actor stage (`is_raft_actor`) whose members, started together as a gang
/// (`WorkerMetadata::gang` in `setup`), see the end of their input. Inputs are handed to
/// whichever member asks first (load balancing, so which member gets which input varies
/// between runs); `process` must therefore not call collectives, since members see
/// different numbers of inputs. Once every input is consumed, the executor calls
/// `finish` on every member, at the same time: there the members may barrier, all-reduce
/// and exchange, and return their final outputs (e.g. connected components).
class GangStage : public ProcessingStage {
 public:
  /// Return this member's final outputs after its last `process_batch`. Called exactly
  /// once per member, by the member's own worker thread, concurrently on all members;
  /// not called when the run failed before the end of input.
  virtual std::vector<TaskPtr> finish() = 0;

  /// Return the spec of a gang stage: `is_raft_actor` and `is_actor_stage` set.
  StageSpec ray_stage_spec() const override;

 protected:
  using ProcessingStage::ProcessingStage;
};

}  // namespace curate
