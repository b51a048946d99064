#include "curate/backends/local/local_run.hpp"

#include "curate/backends/logging.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <thread>

namespace curate::backends::local {

LocalRun::LocalRun(ExecutionPlan plan, std::vector<TaskPtr> initial_tasks, NodeInfo node,
                   RunHooks hooks)
    : plan_(std::move(plan)), hooks_(std::move(hooks)), input_tasks_(initial_tasks.size()) {
  seconds_per_tick();  // calibrates the clock once per process, before any timing
  counters_.reserve(plan_.stages.size());
  for (const auto& stage : plan_.stages) {
    counters_.emplace_back(static_cast<std::size_t>(stage.workers));
  }
  for (const auto& segment : plan_.segments) {
    queues_.push_back(std::make_unique<BoundedQueue<Item>>(segment.queue_capacity));
    state_.on_cancel([queue = queues_.back().get()](const std::string&) { queue->cancel(); });
  }
  if (hooks_.on_failure) state_.on_cancel(hooks_.on_failure);
  if (hooks_.feed) input_tasks_ = 0;
  // The initial tasks are in memory already: they fill the first queue past its
  // capacity, each keyed by its position when it is taken, in one run per worker of the
  // first segment.
  auto seeds = std::make_shared<std::vector<TaskPtr>>(std::move(initial_tasks));
  if (!hooks_.feed)
    queues_.front()->fill_and_close(
        seeds->size(),
        [seeds](std::size_t index) {
          Item item{std::move((*seeds)[index]), {}};
          append_order_index(item.key, static_cast<std::uint32_t>(index));
          return item;
        },
        static_cast<std::size_t>(plan_.segments.front().workers));

  for (std::size_t i = 0; i < plan_.segments.size(); ++i) {
    const SegmentPlan& segment = plan_.segments[i];
    if (i + 1 < plan_.segments.size()) {
      sinks_.push_back(std::make_unique<QueueSink>(*queues_[i + 1]));
    } else {
      auto result = std::make_unique<ResultSink>(segment.workers, plan_.discard_outputs);
      result_ = result.get();
      sinks_.push_back(std::move(result));
    }
    SegmentContext context;
    context.plan = &plan_;
    context.segment = &segment;
    context.input = queues_[i].get();
    context.output = sinks_.back().get();
    context.run = &state_;
    for (auto stage : segment.stages) context.counters.push_back(&counters_[stage]);
    context.node = node;
    context.hooks = &hooks_;
    segments_.push_back(make_segment(std::move(context)));
  }
}

LocalRun::~LocalRun() = default;

std::vector<TaskPtr> LocalRun::run() {
  start_ = now_ticks();
  std::vector<std::thread> threads;
  try {
    if (hooks_.feed) threads.emplace_back([this] { feed_source(); });
    for (auto& segment : segments_) {
      for (int worker = 0; worker < segment->workers(); ++worker) {
        threads.emplace_back([&segment, worker] { segment->run_worker(worker); });
      }
    }
  } catch (const std::exception& error) {
    // Workers already started are released by the cancel and joined below.
    state_.fail(std::make_exception_ptr(std::runtime_error(fmt::format(
        "LocalExecutor could not start worker thread {}: {}; lower num_workers or num_cpus",
        threads.size() + 1, error.what()))));
  }
  for (auto& thread : threads) thread.join();
  state_.finish();
  end_ = now_ticks();
  if (auto error = state_.first_error()) std::rethrow_exception(error);
  output_tasks_ = result_->count();
  return result_->take_ordered();
}

void LocalRun::feed_source() {
  BoundedQueue<Item>& queue = *queues_.front();
  try {
    TaskPtr task;
    std::uint32_t index = 0;
    while (!state_.cancelled() && hooks_.feed(task, index)) {
      Item item{std::move(task), {}};
      append_order_index(item.key, index);
      input_tasks_.fetch_add(1, std::memory_order_relaxed);
      if (!queue.push(std::move(item))) return;
    }
  } catch (...) {
    state_.fail(std::current_exception());
  }
  queue.close();
}

std::vector<StageProgress> LocalRun::progress() const {
  std::vector<StageProgress> snapshot;
  for (std::size_t s = 0; s < plan_.segments.size(); ++s) {
    const SegmentPlan& segment = plan_.segments[s];
    for (auto stage : segment.stages) {
      StageProgress entry;
      entry.name = plan_.stages[stage].stage->name();
      entry.workers = plan_.stages[stage].workers;
      const char* unit_in = nullptr;
      const char* unit_out = nullptr;
      for (const auto& worker : counters_[stage]) {
        entry.tasks_done += worker.tasks_done.load(std::memory_order_relaxed);
        entry.items_in += worker.items_in.load(std::memory_order_relaxed);
        entry.tasks_out += worker.tasks_out.load(std::memory_order_relaxed);
        entry.items_out += worker.items_out.load(std::memory_order_relaxed);
        unit_in = merge_item_unit(unit_in, worker.unit_in.load(std::memory_order_relaxed));
        unit_out = merge_item_unit(unit_out, worker.unit_out.load(std::memory_order_relaxed));
      }
      if (unit_in != nullptr) entry.unit_in = unit_in;
      if (unit_out != nullptr) entry.unit_out = unit_out;
      if (stage == segment.stages.front()) entry.queue_depth = queues_[s]->size();
      snapshot.push_back(std::move(entry));
    }
  }
  return snapshot;
}

RunStats LocalRun::stats() const {
  RunStats stats;
  stats.executor = "LocalExecutor";
  stats.wall_time_s = ticks_to_seconds(start_, end_);
  stats.input_tasks = input_tasks_.load();
  stats.output_tasks = output_tasks_;
  const auto error = state_.first_error();
  stats.succeeded = error == nullptr;
  stats.cancelled = state_.was_cancelled();
  if (error) stats.error = describe_error(error);
  for (std::size_t i = 0; i < plan_.stages.size(); ++i) {
    StageStats stage;
    stage.name = plan_.stages[i].stage->name();
    stage.workers = plan_.stages[i].workers;
    bool active = false;
    Ticks first = 0;
    Ticks last = 0;
    const char* unit_in = nullptr;
    const char* unit_out = nullptr;
    for (const auto& worker : counters_[i]) {
      stage.instances += worker.instances;
      stage.calls += worker.calls;
      stage.tasks_in += worker.tasks_done.load(std::memory_order_relaxed);
      stage.tasks_out += worker.tasks_out.load(std::memory_order_relaxed);
      stage.items_in += worker.items_in.load(std::memory_order_relaxed);
      stage.items_out += worker.items_out.load(std::memory_order_relaxed);
      unit_in = merge_item_unit(unit_in, worker.unit_in.load(std::memory_order_relaxed));
      unit_out = merge_item_unit(unit_out, worker.unit_out.load(std::memory_order_relaxed));
      for (const auto& [reason, count] : worker.dropped_by_reason) {
        stage.dropped_by_reason[reason] += count;
      }
      stage.process_time_s += worker.process_time_s;
      stage.idle_time_s += worker.idle_time_s;
      if (worker.active) {
        first = active ? std::min(first, worker.first_start) : worker.first_start;
        last = active ? std::max(last, worker.last_end) : worker.last_end;
        active = true;
      }
    }
    if (unit_in != nullptr) stage.unit_in = unit_in;
    if (unit_out != nullptr) stage.unit_out = unit_out;
    if (active) stage.wall_time_s = ticks_to_seconds(first, last);
    stats.stages.push_back(std::move(stage));
  }
  return stats;
}

}  // namespace curate::backends::local
