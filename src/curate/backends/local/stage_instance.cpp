#include "curate/backends/local/stage_instance.hpp"

#include "curate/backends/logging.hpp"
#include "curate/backends/run_stats.hpp"
#include "curate/backends/worker_identity.hpp"
#include "curate/core/task_ids.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <stdexcept>

namespace curate::backends::local {
namespace {

// A std::string key, so the lookup on every output allocates no temporary.
const std::string& dropped_key() {
  static const std::string key = kDroppedByReasonKey;
  return key;
}

}  // namespace

StageInstance::StageInstance(const StagePlan& plan, int worker, double available_gpus,
                             const NodeInfo& node, std::shared_ptr<curate::Gang> gang,
                             StageWorkerCounters& counters, RunState& run)
    : plan_(plan),
      node_(node),
      metadata_{fmt::format("{}-{}", plan.stage->name(), worker),
                worker_allocation(plan, worker, available_gpus), std::move(gang)},
      counters_(counters),
      run_(run),
      logger_(make_worker_logger(plan.stage->name(), metadata_.worker_id, node.node_id)) {}

void StageInstance::rethrow_as_stage_error(std::string_view context) const {
  const std::string what = describe_error(std::current_exception());
  std::throw_with_nested(
      std::runtime_error(fmt::format("stage '{}' failed {}: {}", name(), context, what)));
}

bool StageInstance::set_up_instance() {
  // The identity covers clone and setup: get_worker_metadata_and_node_id() is meant to be
  // called when an instance is created.
  WorkerIdentityScope identity(node_, metadata_);
  try {
    instance_ = plan_.stage->clone();
    ++counters_.instances;
    calls_in_instance_ = 0;
    instance_->setup(metadata_);
  } catch (...) {
    // A half set-up instance is still torn down: teardown must cope with what setup left.
    rethrow_as_stage_error(fmt::format("in setup of worker '{}'", metadata_.worker_id));
  }
  logger_->debug("instance {} set up", counters_.instances);
  return true;
}

std::vector<TaskPtr> StageInstance::process(std::vector<TaskPtr> tasks,
                                            std::vector<std::string>& keys, Ticks idle, Ticks& mark,
                                            std::size_t& documents) {
  if (ensure_ready()) mark = now_ticks();
  const std::size_t count = tasks.size();
  input_ids_.resize(count);
  for (std::size_t i = 0; i < count; ++i) input_ids_[i] = tasks[i]->task_id();
  std::size_t documents_in = documents;
  const char* unit_in = nullptr;
  if (documents_in == kUnknownDocuments) {
    documents_in = 0;
    for (const auto& task : tasks) {
      documents_in += task->num_items();
      unit_in = merge_item_unit(unit_in, task->item_unit());
    }
  } else {
    for (const auto& task : tasks) unit_in = merge_item_unit(unit_in, task->item_unit());
  }
  const Ticks start = mark;
  std::vector<TaskPtr> outputs;
  try {
    outputs = instance_->process_batch(std::move(tasks));
  } catch (...) {
    std::string ids;
    for (const auto& id : input_ids_) ids += (ids.empty() ? "'" : ", '") + id + "'";
    rethrow_as_stage_error(fmt::format("on task {}", ids));
  }
  const Ticks end = now_ticks();
  mark = end;
  const double idle_s = ticks_to_seconds(0, idle, seconds_per_tick_);
  documents = 0;
  const char* unit_out = nullptr;
  adopt_outputs(
      outputs, keys,
      perf_record(ticks_to_seconds(start, end, seconds_per_tick_), idle_s, documents_in, count),
      documents, unit_out);
  record(count, documents_in, unit_in, outputs.size(), documents, unit_out, idle_s, start, end);
  finish_call();
  return outputs;
}

bool StageInstance::process_stream(TaskPtr task, std::string key, Ticks idle, Ticks& mark,
                                   const StreamedOutput& downstream) {
  if (ensure_ready()) mark = now_ticks();
  input_ids_.assign(1, task->task_id());
  const std::size_t documents_in = task->num_items();
  const char* const unit_in = task->item_unit();
  const char* unit_out = nullptr;
  const double idle_s = ticks_to_seconds(0, idle, seconds_per_tick_);
  const Ticks start = mark;
  Ticks in_downstream = 0;
  std::size_t produced = 0;
  std::size_t documents_out = 0;
  bool stopped = false;
  std::exception_ptr downstream_error;
  std::vector<TaskPtr> one(1);
  std::vector<std::string> one_key(1);
  TaskPtr held;  // the first output, until a second one shows it is not alone

  // Adopt output number `index` (`alone`: the task's only output) and send it on.
  auto forward = [&](TaskPtr output, std::size_t index, bool alone) {
    one_key[0] = key;
    if (!alone) {
      if (output->task_id().empty()) {
        output->set_task_id(fmt::format("{}_{}", input_ids_[0], index));
      }
      append_order_index(one_key[0], static_cast<std::uint32_t>(index));
    }
    one[0] = std::move(output);
    const Ticks now = now_ticks();
    std::size_t documents = 0;
    adopt_outputs(one, one_key,
                  perf_record(ticks_to_seconds(start, now, seconds_per_tick_) -
                                  ticks_to_seconds(0, in_downstream, seconds_per_tick_),
                              idle_s, documents_in, 1),
                  documents, unit_out);
    documents_out += documents;
    try {
      stopped = !downstream(std::move(one[0]), std::move(one_key[0]), documents);
    } catch (...) {
      downstream_error = std::current_exception();
      stopped = true;
    }
    in_downstream += now_ticks() - now;
  };
  const ProcessingStage::OutputSink emit = [&](TaskPtr output) {
    if (stopped) return false;
    if (!output) return true;
    const std::size_t index = produced++;
    if (index == 0) {
      held = std::move(output);
      return true;
    }
    if (index == 1) forward(std::move(held), 0, false);
    if (!stopped) forward(std::move(output), index, false);
    return !stopped;
  };
  try {
    instance_->process_stream(std::move(task), emit);
  } catch (...) {
    if (downstream_error) std::rethrow_exception(downstream_error);
    rethrow_as_stage_error(fmt::format("on task '{}'", input_ids_[0]));
  }
  if (held && !stopped) forward(std::move(held), 0, true);
  if (downstream_error) std::rethrow_exception(downstream_error);
  const Ticks end = now_ticks();
  mark = end;
  record(1, documents_in, unit_in, produced, documents_out, unit_out, idle_s, start, end,
         in_downstream);
  finish_call();
  return !stopped;
}

std::vector<TaskPtr> StageInstance::adopt(std::vector<TaskPtr> raw, std::string parent_id,
                                          std::vector<std::string>& keys, std::size_t input_items,
                                          Ticks start, Ticks end) {
  input_ids_.assign(1, std::move(parent_id));
  keys.resize(1);
  std::size_t documents_out = 0;
  const char* unit_out = nullptr;
  adopt_outputs(
      raw, keys,
      perf_record(ticks_to_seconds(start, end, seconds_per_tick_), 0.0, input_items, input_items),
      documents_out, unit_out);
  // Rows are not items: the stage's items were counted when its inputs came in.
  record(0, 0, nullptr, raw.size(), documents_out, unit_out, 0.0, start, end);
  return raw;
}

void StageInstance::count_call(std::size_t tasks, std::size_t documents, Ticks idle, Ticks start,
                               Ticks end, const char* unit) {
  record(tasks, documents, unit, 0, 0, nullptr, ticks_to_seconds(0, idle, seconds_per_tick_), start,
         end);
}

const StagePerfRecord& StageInstance::perf_record(double process_s, double idle_s,
                                                  std::size_t input_size,
                                                  std::size_t items_processed) {
  if (perf_.stage_name.empty()) perf_.stage_name = name();
  perf_.process_time_s = process_s;
  perf_.idle_time_s = idle_s;
  perf_.input_size = input_size;
  perf_.items_processed = items_processed;
  return perf_;
}

void StageInstance::adopt_outputs(std::vector<TaskPtr>& raw, std::vector<std::string>& keys,
                                  const StagePerfRecord& perf, std::size_t& documents_out,
                                  const char*& unit_out) {
  std::erase(raw, nullptr);
  if (std::any_of(raw.begin(), raw.end(),
                  [](const TaskPtr& task) { return task->task_id().empty(); })) {
    curate::assign_output_ids(input_ids_, raw);
  }
  // Keys follow the rule of ids: positional when the count is kept (the common case, which
  // touches nothing), else the smallest parent key plus the output's position.
  if (raw.size() != keys.size()) {
    std::string parent = keys.empty() ? std::string() : *std::min_element(keys.begin(), keys.end());
    keys.resize(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
      keys[i] = parent;
      append_order_index(keys[i], static_cast<std::uint32_t>(i));
    }
  }
  for (const auto& output : raw) {
    Task& task = *output;
    documents_out += task.num_items();
    unit_out = merge_item_unit(unit_out, task.item_unit());
    auto& metadata = task.metadata();
    if (metadata.is_object() && !metadata.empty()) {
      if (auto dropped = metadata.find(dropped_key()); dropped != metadata.end()) {
        if (dropped->is_object()) {
          for (const auto& [reason, n] : dropped->items()) {
            if (n.is_number_integer() && n.get<std::int64_t>() > 0) {
              counters_.dropped_by_reason[reason] += n.get<std::uint64_t>();
            }
          }
        }
        metadata.erase(dropped);
      }
    }
    auto& history = task.stage_perf();
    // One allocation for the records of the whole fused chain, not one per stage.
    if (history.capacity() == history.size()) history.reserve(history.size() + 1 + followers_);
    history.push_back(perf);
  }
}

void StageInstance::record(std::size_t tasks_in, std::size_t items_in, const char* unit_in,
                           std::size_t tasks_out, std::size_t items_out, const char* unit_out,
                           double idle_s, Ticks start, Ticks end, Ticks excluded) {
  StageWorkerCounters::bump(counters_.tasks_done, tasks_in);
  StageWorkerCounters::bump(counters_.items_in, items_in);
  StageWorkerCounters::bump(counters_.tasks_out, tasks_out);
  StageWorkerCounters::bump(counters_.items_out, items_out);
  StageWorkerCounters::note_unit(counters_.unit_in, unit_in);
  StageWorkerCounters::note_unit(counters_.unit_out, unit_out);
  ++counters_.calls;
  counters_.process_time_s += ticks_to_seconds(start, end - excluded, seconds_per_tick_);
  counters_.idle_time_s += idle_s;
  if (!counters_.active) {
    counters_.active = true;
    counters_.first_start = start;
  }
  counters_.last_end = end;
}

void StageInstance::finish_call() {
  if (!plan_.max_calls_per_worker || ++calls_in_instance_ < *plan_.max_calls_per_worker) return;
  logger_->debug("instance {} reached max_calls_per_worker={}, replacing it", counters_.instances,
                 *plan_.max_calls_per_worker);
  teardown();  // the next call sets up a fresh clone; a teardown error has failed the run
}

void StageInstance::teardown() noexcept {
  if (!instance_) return;
  std::shared_ptr<ProcessingStage> instance = std::move(instance_);
  try {
    WorkerIdentityScope identity(node_, metadata_);
    instance->teardown();
  } catch (...) {
    try {
      rethrow_as_stage_error(fmt::format("in teardown of worker '{}'", metadata_.worker_id));
    } catch (...) {
      run_.fail(std::current_exception(), logger_.get());
    }
  }
}

}  // namespace curate::backends::local
