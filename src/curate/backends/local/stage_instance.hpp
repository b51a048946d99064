#pragma once

#include "curate/backends/local/execution_plan.hpp"
#include "curate/backends/local/run_state.hpp"
#include "curate/backends/local/tick_clock.hpp"
#include "curate/core/processing_stage.hpp"

#include <spdlog/logger.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace curate::backends::local {

/// One worker's instance of one stage, and the stage adapter of the backend contract
/// around it. Owns the instance's life cycle: a clone of the prototype set up on first
/// use, replaced after `max_calls_per_worker` calls, torn down at the end (also on
/// failure). Around every call it measures process and idle time, drops null outputs,
/// assigns deterministic ids and order keys, attaches a StagePerfRecord to every output
/// and counts tasks, documents and drops. Used by one worker thread only.
class StageInstance {
 public:
  /// Bind worker `worker` of `plan`'s stage; nothing is cloned yet. `gang` is set for
  /// raft-actor stages. `counters` and `run` outlive the instance.
  StageInstance(const StagePlan& plan, int worker, double available_gpus, const NodeInfo& node,
                std::shared_ptr<curate::Gang> gang, StageWorkerCounters& counters, RunState& run);

  /// Clone and set up a fresh instance unless one is live. Return true when it did.
  /// Throws a std::runtime_error naming the stage and worker if `setup` fails.
  bool ensure_ready() { return instance_ ? false : set_up_instance(); }

  /// Return the live instance (call `ensure_ready` first).
  ProcessingStage& stage() { return *instance_; }
  /// Say how many fused stages follow this one in its worker (so a task's history is
  /// sized once for the whole chain). Called by the segment before the first call.
  void set_followers(std::size_t followers) { followers_ = followers; }

  /// Return the plan of the stage this instance runs.
  const StagePlan& stage_plan() const { return plan_; }
  /// Return the stage's name.
  const std::string& name() const { return plan_.stage->name(); }
  /// Return this worker's identity ("<stage>-<n>", allocation, gang).
  const WorkerMetadata& metadata() const { return metadata_; }
  /// Return the node every worker of this run reports.
  const NodeInfo& node() const { return node_; }
  /// Return this worker's logger (records carry stage, worker and node).
  spdlog::logger& logger() { return *logger_; }

  /// Run `process_batch` on `tasks`, whose order keys are `keys`, and return the adopted
  /// outputs; `keys` then holds the outputs' keys. `idle` is how long the worker waited
  /// for these tasks; `mark` is when the call may be timed from and is set to its end.
  /// `documents` is the tasks' total num_items() if known (a fused chain knows it from the
  /// stage before), else kUnknownDocuments; it is set to the outputs' total. Throws
  /// std::runtime_error "stage 'x' failed on task 'id': <what>" (the original nested)
  /// when the stage throws.
  std::vector<TaskPtr> process(std::vector<TaskPtr> tasks, std::vector<std::string>& keys,
                               Ticks idle, Ticks& mark, std::size_t& documents);

  /// Receives one adopted output of `process_stream` with its order key and num_items();
  /// returns false when the run is stopping.
  using StreamedOutput = std::function<bool(TaskPtr, std::string, std::size_t)>;

  /// Return true when the stage streams its outputs (see ProcessingStage::streams_outputs).
  bool streams_outputs() const { return plan_.stage->streams_outputs(); }

  /// Run `process_stream` on `task`, whose order key is `key`, handing each output, adopted
  /// as `process` adopts them (the same ids, keys and perf records), to `downstream` as soon
  /// as it is made. A lone output is held until the stream ends, since it then takes its
  /// parent's id and key, so at most two outputs are held. The time spent in `downstream`
  /// is not the stage's process time. Return false when `downstream` asked to stop.
  /// Throws like `process` when the stage throws; an exception from `downstream` passes
  /// through unchanged.
  bool process_stream(TaskPtr task, std::string key, Ticks idle, Ticks& mark,
                      const StreamedOutput& downstream);

  /// The `documents` value that asks `process` to count the input documents itself.
  static constexpr std::size_t kUnknownDocuments = static_cast<std::size_t>(-1);

  /// Adopt outputs made without task inputs (a shuffle reduce, a gang finish) as children
  /// of a synthetic parent with id `parent_id` and order key `keys[0]` (`keys` then holds
  /// the outputs' keys), and count the call that made them from `input_items` rows.
  std::vector<TaskPtr> adopt(std::vector<TaskPtr> raw, std::string parent_id,
                             std::vector<std::string>& keys, std::size_t input_items, Ticks start,
                             Ticks end);

  /// Count a call that consumed `tasks` tasks (`documents` items, in `unit`: the tasks'
  /// Task::item_unit, null when not known) and produced no task (a shuffle route).
  void count_call(std::size_t tasks, std::size_t documents, Ticks idle, Ticks start, Ticks end,
                  const char* unit = nullptr);

  /// Tear down the live instance, if any; an error fails the run (never throws). Called
  /// by the worker when it stops, whatever the outcome.
  void teardown() noexcept;

  /// Throw std::runtime_error "stage 'x' failed <context>: <what of the current
  /// exception>", nesting the current exception. Call only inside a catch block.
  [[noreturn]] void rethrow_as_stage_error(std::string_view context) const;

 private:
  bool set_up_instance();
  // Drop nulls, assign ids and keys, attach `perf`, move drop counts into the stats.
  // `input_ids_` and `keys` hold the parents on entry; `keys` the outputs' on return.
  void adopt_outputs(std::vector<TaskPtr>& raw, std::vector<std::string>& keys,
                     const StagePerfRecord& perf, std::size_t& documents_out,
                     const char*& unit_out);
  const StagePerfRecord& perf_record(double process_s, double idle_s, std::size_t input_size,
                                     std::size_t items_processed);
  // `excluded` ticks of [start, end) were spent outside the stage (downstream of a stream).
  // Items are counted in `unit_in` and `unit_out` (null: unknown, "": none held).
  void record(std::size_t tasks_in, std::size_t items_in, const char* unit_in,
              std::size_t tasks_out, std::size_t items_out, const char* unit_out, double idle_s,
              Ticks start, Ticks end, Ticks excluded = 0);
  void finish_call();

  const StagePlan& plan_;
  NodeInfo node_;
  WorkerMetadata metadata_;
  StageWorkerCounters& counters_;
  RunState& run_;
  std::shared_ptr<spdlog::logger> logger_;
  std::shared_ptr<ProcessingStage> instance_;
  int calls_in_instance_ = 0;
  std::size_t followers_ = 0;
  double seconds_per_tick_ = seconds_per_tick();
  // Reused from call to call: the hot path allocates nothing of its own.
  std::vector<std::string> input_ids_;
  StagePerfRecord perf_;
};

}  // namespace curate::backends::local
