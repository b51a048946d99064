#pragma once

// Stages for executor tests: they count, reorder (jitter), block until released (gate),
// throw, sleep and fan out, so ordering, parallelism, backpressure and failure bugs show.
// Counters live in shared state objects, so every clone an executor makes reports to
// the test that built the prototype.

#include "curate/core/document_batch.hpp"
#include "curate/core/processing_stage.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace curate::testing {

/// Return `rows`, or 1 when CURATE_TEST_TINY_BATCHES is set to a non-empty value other
/// than 0: the switch that forces tiny batches so parallel paths are exercised.
int test_rows(int rows);

/// Return `count` DocumentBatches with ids "<prefix>_<i>" (i zero-padded to 6 digits)
/// and `rows` documents each, whose text is "doc <i>.<r>".
std::vector<TaskPtr> make_batches(int count, int rows, const std::string& prefix = "batch");

/// Return `count` EmptyTasks with ids "seed_<i>" (zero-padded).
std::vector<TaskPtr> make_seeds(int count);

/// Shared counters of a CountingStage and its clones.
struct LifecycleCounters {
  std::atomic<int> clones{0};
  std::atomic<int> setups{0};
  std::atomic<int> teardowns{0};
  std::atomic<int> calls{0};
  std::atomic<int> tasks{0};
  std::atomic<int> max_calls_per_instance{0};
};

/// Pass tasks through unchanged, counting clones (copies), setups, teardowns, calls and
/// the most calls any one instance received. `spec` is its own stage spec (actor,
/// max_calls_per_worker...).
class CountingStage : public CloneableStage<CountingStage> {
 public:
  CountingStage(std::string name, std::shared_ptr<LifecycleCounters> counters, StageSpec spec = {});
  CountingStage(const CountingStage& other);
  std::vector<TaskPtr> process(TaskPtr task) override;
  std::vector<TaskPtr> process_batch(std::vector<TaskPtr> tasks) override;
  void setup(const WorkerMetadata& worker) override;
  void teardown() override;
  StageSpec ray_stage_spec() const override;

 private:
  std::shared_ptr<LifecycleCounters> counters_;
  StageSpec spec_;
  int instance_calls_ = 0;
};

/// Append the stage name to the batch's metadata["trace"] array: shows every stage saw
/// every task, in pipeline order.
class TagStage : public CloneableStage<TagStage> {
 public:
  explicit TagStage(std::string name, int batch_size = 1);
  std::vector<TaskPtr> process(TaskPtr task) override;
};

/// Sleep a pseudo-random 0..max_micros derived from the task id (deterministic per task)
/// before passing it on, so tasks finish out of order across workers.
class JitterStage : public CloneableStage<JitterStage> {
 public:
  JitterStage(std::string name, int max_micros);
  std::vector<TaskPtr> process(TaskPtr task) override;

 private:
  int max_micros_;
};

/// The state a GateStage's clones share: each call waits inside until `threshold` calls
/// are inside at the same time (then all pass, and so do later calls), or until the
/// timeout (then `timed_out` is set and the call passes anyway, so a failure cannot hang).
struct GateState {
  explicit GateState(int needed, std::chrono::milliseconds wait_at_most = std::chrono::seconds(20))
      : threshold(needed), timeout(wait_at_most) {}
  const int threshold;
  const std::chrono::milliseconds timeout;
  std::mutex mutex;
  std::condition_variable changed;
  int inside = 0;
  int max_inside = 0;
  bool opened = false;
  bool timed_out = false;
};

/// Block in `process` as GateState describes; returns the task unchanged.
class GateStage : public CloneableStage<GateStage> {
 public:
  GateStage(std::string name, std::shared_ptr<GateState> state);
  std::vector<TaskPtr> process(TaskPtr task) override;

 private:
  std::shared_ptr<GateState> state_;
};

/// Throw std::runtime_error("boom on <id>") for the task whose id is `fail_on` (every
/// task when empty), or in setup when `fail_in_setup`.
class ThrowingStage : public CloneableStage<ThrowingStage> {
 public:
  ThrowingStage(std::string name, std::string fail_on, bool fail_in_setup = false);
  std::vector<TaskPtr> process(TaskPtr task) override;
  void setup(const WorkerMetadata& worker) override;

 private:
  std::string fail_on_;
  bool fail_in_setup_;
};

/// Sleep `micros` per task: a slow stage (the only place tests sleep).
class SleepingStage : public CloneableStage<SleepingStage> {
 public:
  SleepingStage(std::string name, int micros, bool actor = false);
  std::vector<TaskPtr> process(TaskPtr task) override;
  StageSpec ray_stage_spec() const override;

 private:
  int micros_;
  bool actor_;
};

/// Turn each input into `fanout` new DocumentBatches of `rows` documents (ids set by the
/// executor): an `is_fanout_stage`.
class FanOutStage : public CloneableStage<FanOutStage> {
 public:
  FanOutStage(std::string name, int fanout, int rows);
  std::vector<TaskPtr> process(TaskPtr task) override;
  StageSpec ray_stage_spec() const override;

 private:
  int fanout_;
  int rows_;
};

/// Count tasks created by a source and consumed downstream, keeping the largest number
/// in flight (created, not yet consumed) ever seen.
struct FlightCounter {
  std::mutex mutex;
  long created = 0;
  long consumed = 0;
  long max_in_flight = 0;
  void on_created();
  void on_consumed();
};

/// Turn each input into one new 1-row DocumentBatch, counting it as created.
class CreatingStage : public CloneableStage<CreatingStage> {
 public:
  CreatingStage(std::string name, std::shared_ptr<FlightCounter> flight);
  std::vector<TaskPtr> process(TaskPtr task) override;

 private:
  std::shared_ptr<FlightCounter> flight_;
};

/// Count each input as consumed, then sleep `micros`: the slow end of a backpressure
/// test. An actor stage, so it is never fused with its source.
class ConsumingStage : public CloneableStage<ConsumingStage> {
 public:
  ConsumingStage(std::string name, std::shared_ptr<FlightCounter> flight, int micros);
  std::vector<TaskPtr> process(TaskPtr task) override;
  StageSpec ray_stage_spec() const override;

 private:
  std::shared_ptr<FlightCounter> flight_;
  int micros_;
};

/// Drop the documents of a DocumentBatch whose text ends in an odd digit and report them
/// in metadata["dropped_by_reason"]["odd"]: a filter for stats tests.
class DropOddStage : public CloneableStage<DropOddStage> {
 public:
  explicit DropOddStage(std::string name);
  std::vector<TaskPtr> process(TaskPtr task) override;
};

}  // namespace curate::testing
