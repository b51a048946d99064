// LocalExecutor: stages that stream their outputs (process_stream), such as a reader
// whose file group yields many batches. Each output must go on before the next is made,
// with the ids, order keys, statistics and errors that `process` would give.

#include "backends/local/executor_test_util.hpp"
#include "support/test_stages.hpp"

#include "curate/backends/run_stats.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <stdexcept>

namespace curate::testing {
namespace {

using backends::LocalExecutor;
using ::testing::HasSubstr;
using ::testing::Not;

/// A fan-out that makes `fanout` one-row batches per input one at a time, counting each
/// in `flight` when it is made. With `fail_at` >= 0 it throws after that many outputs.
class StreamingFanOut : public CloneableStage<StreamingFanOut> {
 public:
  StreamingFanOut(std::string name, int fanout, std::shared_ptr<FlightCounter> flight,
                  int fail_at = -1)
      : CloneableStage(std::move(name)),
        fanout_(fanout),
        flight_(std::move(flight)),
        fail_at_(fail_at) {}

  std::vector<TaskPtr> process(TaskPtr task) override {
    std::vector<TaskPtr> out;
    process_stream(std::move(task), [&](TaskPtr output) {
      out.push_back(std::move(output));
      return true;
    });
    return out;
  }
  bool streams_outputs() const override { return true; }
  void process_stream(TaskPtr task, const OutputSink& emit) override {
    for (int i = 0; i < fanout_; ++i) {
      if (i == fail_at_) throw std::runtime_error(fmt::format("stream broke at {}", i));
      StringColumn text;
      text.append(fmt::format("{} {}", task->task_id(), i));
      auto batch = std::make_shared<DocumentBatch>();
      batch->set_column("text", std::move(text));
      flight_->on_created();
      if (!emit(std::move(batch))) return;
    }
  }
  StageSpec ray_stage_spec() const override {
    StageSpec spec;
    spec.set(StageSpecKey::IsFanoutStage, true);
    return spec;
  }

 private:
  int fanout_;
  std::shared_ptr<FlightCounter> flight_;
  int fail_at_;
};

class LocalExecutorStreamTest : public ::testing::TestWithParam<std::tuple<int, bool>> {
 protected:
  int workers() const { return std::get<0>(GetParam()); }
  nlohmann::json config(int capacity = 2) const {
    return config_for_workers(
        workers(), {{"fuse_task_stages", std::get<1>(GetParam())}, {"queue_capacity", capacity}});
  }
};

TEST_P(LocalExecutorStreamTest, OutputsGetTheIdsAndOrderProcessWouldGive) {
  auto flight = std::make_shared<FlightCounter>();
  const std::vector<StagePtr> stages{std::make_shared<StreamingFanOut>("fan", 5, flight),
                                     std::make_shared<JitterStage>("jitter", 200),
                                     std::make_shared<TagStage>("tag")};
  LocalExecutor executor(config());
  const auto outputs = run_or_die(executor, stages, make_seeds(6));
  std::vector<std::string> expected;
  for (int seed = 0; seed < 6; ++seed) {
    for (int i = 0; i < 5; ++i) expected.push_back(fmt::format("seed_{:06}_{}", seed, i));
  }
  EXPECT_EQ(ids_of(outputs), expected);
  for (const auto& task : outputs) {
    ASSERT_EQ(task->stage_perf().size(), 3u) << task->task_id();
    EXPECT_EQ(task->stage_perf()[0].stage_name, "fan");
  }
  const auto stats = executor.last_run_stats();
  ASSERT_EQ(stats.stages.size(), 3u);
  EXPECT_EQ(stats.stages[0].tasks_in, 6u);
  EXPECT_EQ(stats.stages[0].tasks_out, 30u);
  EXPECT_EQ(stats.stages[0].documents_out(), 30u);
  EXPECT_EQ(stats.stages[2].tasks_out, 30u);
}

TEST_P(LocalExecutorStreamTest, ALoneOutputKeepsItsParentsId) {
  auto flight = std::make_shared<FlightCounter>();
  const std::vector<StagePtr> stages{std::make_shared<StreamingFanOut>("fan", 1, flight),
                                     std::make_shared<TagStage>("tag")};
  LocalExecutor executor(config());
  EXPECT_EQ(ids_of(run_or_die(executor, stages, make_seeds(3))),
            (std::vector<std::string>{"seed_000000", "seed_000001", "seed_000002"}));
}

TEST_P(LocalExecutorStreamTest, MemoryHoldsAFewOutputsNotTheWholeFanOut) {
  constexpr int kFanout = 400;
  constexpr int kCapacity = 2;
  auto flight = std::make_shared<FlightCounter>();
  const std::vector<StagePtr> stages{std::make_shared<StreamingFanOut>("fan", kFanout, flight),
                                     std::make_shared<ConsumingStage>("slow", flight, 100)};
  LocalExecutor executor(config(kCapacity));
  EXPECT_EQ(run_or_die(executor, stages, make_seeds(1)).size(), std::size_t{kFanout});
  EXPECT_EQ(flight->consumed, kFanout);
  // In flight at most: the queue, the output held until a second one exists and the one
  // blocked on the full queue, and one popped task per slow worker not yet counted.
  EXPECT_LE(flight->max_in_flight, kCapacity + 2 + workers());
}

TEST_P(LocalExecutorStreamTest, AStreamThatThrowsNamesItsStageAndTask) {
  auto flight = std::make_shared<FlightCounter>();
  const std::vector<StagePtr> stages{std::make_shared<StreamingFanOut>("fan", 50, flight, 7),
                                     std::make_shared<TagStage>("tag")};
  LocalExecutor executor(config());
  try {
    run_or_die(executor, stages, make_seeds(4));
    FAIL() << "the run should have failed";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("stage 'fan' failed on task 'seed_00000"));
    EXPECT_THAT(error.what(), HasSubstr("stream broke at 7"));
  }
}

TEST_P(LocalExecutorStreamTest, ADownstreamErrorIsNotBlamedOnTheStream) {
  // Many outputs, and the error on an early one (the first seed is the first a worker
  // takes): a failing worker preempted for milliseconds on a busy machine must not leave
  // time enough for the other workers to make them all before the run is cancelled.
  constexpr int kFanout = 2000;
  auto flight = std::make_shared<FlightCounter>();
  const std::vector<StagePtr> stages{std::make_shared<StreamingFanOut>("fan", kFanout, flight),
                                     std::make_shared<ThrowingStage>("thrower", "seed_000000_3")};
  LocalExecutor executor(config());
  try {
    run_or_die(executor, stages, make_seeds(4));
    FAIL() << "the run should have failed";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("stage 'thrower' failed on task 'seed_000000_3'"));
    EXPECT_THAT(error.what(), Not(HasSubstr("stage 'fan'")));
  }
  // The stream stopped early instead of making every remaining output.
  EXPECT_LT(flight->created, 4 * kFanout);
}

INSTANTIATE_TEST_SUITE_P(WorkersAndFusion, LocalExecutorStreamTest,
                         ::testing::Combine(::testing::ValuesIn(kWorkerCounts), ::testing::Bool()),
                         [](const auto& param_info) {
                           return fmt::format("{}_workers_{}", std::get<0>(param_info.param),
                                              std::get<1>(param_info.param) ? "fused" : "unfused");
                         });

}  // namespace
}  // namespace curate::testing
