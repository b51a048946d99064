#include "support/test_stages.hpp"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace curate::testing {
namespace {

std::shared_ptr<DocumentBatch> batch_of(const std::vector<std::string>& texts) {
  StringColumn column;
  for (const auto& text : texts) column.append(text);
  auto batch = std::make_shared<DocumentBatch>();
  batch->set_column("text", std::move(column));
  return batch;
}

StageSpec flag(StageSpecKey key) {
  StageSpec spec;
  spec.set(key, true);
  return spec;
}

}  // namespace

int test_rows(int rows) {
  const char* value = std::getenv("CURATE_TEST_TINY_BATCHES");
  const bool tiny = value != nullptr && *value != '\0' && std::string(value) != "0";
  return tiny ? 1 : rows;
}

std::vector<TaskPtr> make_batches(int count, int rows, const std::string& prefix) {
  std::vector<TaskPtr> tasks;
  for (int i = 0; i < count; ++i) {
    std::vector<std::string> texts;
    for (int r = 0; r < rows; ++r) texts.push_back(fmt::format("doc {}.{}", i, r));
    auto batch = batch_of(texts);
    batch->set_task_id(fmt::format("{}_{:06}", prefix, i));
    tasks.push_back(std::move(batch));
  }
  return tasks;
}

std::vector<TaskPtr> make_seeds(int count) {
  std::vector<TaskPtr> tasks;
  for (int i = 0; i < count; ++i)
    tasks.push_back(std::make_shared<EmptyTask>(fmt::format("seed_{:06}", i)));
  return tasks;
}

CountingStage::CountingStage(std::string name, std::shared_ptr<LifecycleCounters> counters,
                             StageSpec spec)
    : CloneableStage(std::move(name)), counters_(std::move(counters)), spec_(std::move(spec)) {}

CountingStage::CountingStage(const CountingStage& other)
    : CloneableStage(other), counters_(other.counters_), spec_(other.spec_) {
  ++counters_->clones;
}

std::vector<TaskPtr> CountingStage::process(TaskPtr task) {
  ++counters_->tasks;
  return {std::move(task)};
}

std::vector<TaskPtr> CountingStage::process_batch(std::vector<TaskPtr> tasks) {
  ++counters_->calls;
  ++instance_calls_;
  int seen = counters_->max_calls_per_instance.load();
  while (seen < instance_calls_ &&
         !counters_->max_calls_per_instance.compare_exchange_weak(seen, instance_calls_)) {
  }
  return ProcessingStage::process_batch(std::move(tasks));
}

void CountingStage::setup(const WorkerMetadata&) {
  ++counters_->setups;
  instance_calls_ = 0;
}

void CountingStage::teardown() { ++counters_->teardowns; }

StageSpec CountingStage::ray_stage_spec() const { return spec_; }

TagStage::TagStage(std::string name, int batch_size)
    : CloneableStage(std::move(name), {}, batch_size) {}

std::vector<TaskPtr> TagStage::process(TaskPtr task) {
  auto& trace = task->metadata()["trace"];
  if (!trace.is_array()) trace = nlohmann::json::array();
  trace.push_back(name());
  return {std::move(task)};
}

JitterStage::JitterStage(std::string name, int max_micros)
    : CloneableStage(std::move(name)), max_micros_(max_micros) {}

std::vector<TaskPtr> JitterStage::process(TaskPtr task) {
  const auto& id = task->task_id();
  const auto micros = XXH3_64bits(id.data(), id.size()) % static_cast<unsigned>(max_micros_ + 1);
  std::this_thread::sleep_for(std::chrono::microseconds(micros));
  return {std::move(task)};
}

GateStage::GateStage(std::string name, std::shared_ptr<GateState> state)
    : CloneableStage(std::move(name)), state_(std::move(state)) {}

std::vector<TaskPtr> GateStage::process(TaskPtr task) {
  auto& state = *state_;
  std::unique_lock lock(state.mutex);
  ++state.inside;
  state.max_inside = std::max(state.max_inside, state.inside);
  if (state.inside >= state.threshold) state.opened = true;
  state.changed.notify_all();
  if (!state.changed.wait_for(lock, state.timeout, [&] { return state.opened; })) {
    state.timed_out = true;
  }
  --state.inside;
  return {std::move(task)};
}

ThrowingStage::ThrowingStage(std::string name, std::string fail_on, bool fail_in_setup)
    : CloneableStage(std::move(name)),
      fail_on_(std::move(fail_on)),
      fail_in_setup_(fail_in_setup) {}

std::vector<TaskPtr> ThrowingStage::process(TaskPtr task) {
  if (fail_on_.empty() || task->task_id() == fail_on_) {
    throw std::runtime_error(fmt::format("boom on {}", task->task_id()));
  }
  return {std::move(task)};
}

void ThrowingStage::setup(const WorkerMetadata& worker) {
  if (fail_in_setup_) throw std::runtime_error(fmt::format("setup boom in {}", worker.worker_id));
}

SleepingStage::SleepingStage(std::string name, int micros, bool actor)
    : CloneableStage(std::move(name)), micros_(micros), actor_(actor) {}

std::vector<TaskPtr> SleepingStage::process(TaskPtr task) {
  std::this_thread::sleep_for(std::chrono::microseconds(micros_));
  return {std::move(task)};
}

StageSpec SleepingStage::ray_stage_spec() const {
  return actor_ ? flag(StageSpecKey::IsActorStage) : StageSpec{};
}

FanOutStage::FanOutStage(std::string name, int fanout, int rows)
    : CloneableStage(std::move(name)), fanout_(fanout), rows_(rows) {}

std::vector<TaskPtr> FanOutStage::process(TaskPtr task) {
  std::vector<TaskPtr> outputs;
  for (int i = 0; i < fanout_; ++i) {
    std::vector<std::string> texts;
    for (int r = 0; r < rows_; ++r) texts.push_back(fmt::format("{} {}.{}", task->task_id(), i, r));
    outputs.push_back(batch_of(texts));
  }
  return outputs;
}

StageSpec FanOutStage::ray_stage_spec() const { return flag(StageSpecKey::IsFanoutStage); }

void FlightCounter::on_created() {
  std::lock_guard lock(mutex);
  ++created;
  max_in_flight = std::max(max_in_flight, created - consumed);
}

void FlightCounter::on_consumed() {
  std::lock_guard lock(mutex);
  ++consumed;
}

CreatingStage::CreatingStage(std::string name, std::shared_ptr<FlightCounter> flight)
    : CloneableStage(std::move(name)), flight_(std::move(flight)) {}

std::vector<TaskPtr> CreatingStage::process(TaskPtr task) {
  auto batch = batch_of({task->task_id()});
  flight_->on_created();
  return {std::move(batch)};
}

ConsumingStage::ConsumingStage(std::string name, std::shared_ptr<FlightCounter> flight, int micros)
    : CloneableStage(std::move(name)), flight_(std::move(flight)), micros_(micros) {}

std::vector<TaskPtr> ConsumingStage::process(TaskPtr task) {
  flight_->on_consumed();
  std::this_thread::sleep_for(std::chrono::microseconds(micros_));
  return {std::move(task)};
}

StageSpec ConsumingStage::ray_stage_spec() const { return flag(StageSpecKey::IsActorStage); }

DropOddStage::DropOddStage(std::string name) : CloneableStage(std::move(name)) {}

std::vector<TaskPtr> DropOddStage::process(TaskPtr task) {
  auto batch = std::dynamic_pointer_cast<DocumentBatch>(task);
  if (!batch) throw std::invalid_argument("DropOddStage needs a DocumentBatch");
  const auto text = batch->text();
  std::vector<uint8_t> keep(text.size());
  std::uint64_t dropped = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char last = text[i].empty() ? '0' : text[i].back();
    keep[i] = ((last - '0') % 2 == 0) ? 1 : 0;
    dropped += keep[i] ? 0 : 1;
  }
  auto kept = batch->filter_rows(keep);
  kept->metadata()["dropped_by_reason"]["odd"] = dropped;
  return {std::move(kept)};
}

}  // namespace curate::testing
