#pragma once

#include "curate/backends/local/bounded_queue.hpp"
#include "curate/backends/local/execution_plan.hpp"
#include "curate/backends/local/item_sink.hpp"
#include "curate/backends/local/run_hooks.hpp"
#include "curate/backends/local/run_state.hpp"
#include "curate/backends/local/segment.hpp"
#include "curate/backends/run_stats.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace curate::backends::local {

/// One execution of a plan: the queues between segments, the workers' counters, the
/// segments and their threads. Created by LocalExecutor::execute for a single run.
/// `progress` may be called from any thread while `run` is in progress.
class LocalRun {
 public:
  /// Prepare a run of `plan` over `initial_tasks` (non-empty, no nulls, fewer than 2^32),
  /// with every worker reporting `node`. With `hooks.feed`, the source tasks come from
  /// the feed instead and `initial_tasks` is ignored (may be empty). Starts nothing.
  LocalRun(ExecutionPlan plan, std::vector<TaskPtr> initial_tasks, NodeInfo node,
           RunHooks hooks = {});
  ~LocalRun();
  LocalRun(const LocalRun&) = delete;
  LocalRun& operator=(const LocalRun&) = delete;

  /// Start every worker, wait for all of them, and return the last stage's outputs in
  /// order-key order; or, when any stage failed, rethrow the first error after every
  /// worker stopped and every instance was torn down. Called once, by the driver.
  std::vector<TaskPtr> run();

  /// Stop the run as a failure would, with curate::RunCancelled(reason) as its error:
  /// `run` then throws that once every worker stopped. Thread-safe; any time.
  void cancel(const std::string& reason) { state_.cancel(reason); }

  /// Return a snapshot per stage: tasks and documents done, queue depth. Thread-safe.
  std::vector<StageProgress> progress() const;

  /// Return the run's statistics; call after `run` returned or threw.
  RunStats stats() const;

 private:
  void feed_source();

  ExecutionPlan plan_;
  RunHooks hooks_;
  RunState state_;
  std::vector<std::unique_ptr<BoundedQueue<Item>>> queues_;  // input of each segment
  std::vector<std::vector<StageWorkerCounters>> counters_;   // [stage][worker]
  std::vector<std::unique_ptr<ItemSink>> sinks_;             // output of each segment
  ResultSink* result_ = nullptr;
  std::vector<std::unique_ptr<Segment>> segments_;
  std::atomic<std::uint64_t> input_tasks_{0};
  std::uint64_t output_tasks_ = 0;
  Ticks start_ = 0;
  Ticks end_ = 0;
};

}  // namespace curate::backends::local
