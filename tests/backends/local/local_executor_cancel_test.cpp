// LocalExecutor: a run cancelled from another thread through its CancellationToken stops
// like a failed one (no new task, every instance torn down) and throws RunCancelled.

#include "backends/local/executor_test_util.hpp"
#include "support/test_stages.hpp"

#include "curate/core/pipeline.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <thread>

namespace curate::testing {
namespace {

using backends::LocalExecutor;
using ::testing::HasSubstr;

StageSpec actor_spec() {
  StageSpec spec;
  spec.set(StageSpecKey::IsActorStage, true);
  return spec;
}

class LocalExecutorCancelTest : public ::testing::TestWithParam<int> {
 protected:
  int workers() const { return GetParam(); }
};

TEST_P(LocalExecutorCancelTest, ACancelFromAnotherThreadStopsTheRunAndTearsEverythingDown) {
  auto before = std::make_shared<LifecycleCounters>();
  auto after = std::make_shared<LifecycleCounters>();
  Pipeline pipeline("cancel");
  pipeline.add_stage(std::make_shared<CountingStage>("before", before, actor_spec()))
      .add_stage(std::make_shared<SleepingStage>("slow", 2'000, true))
      .add_stage(std::make_shared<CountingStage>("after", after, actor_spec()));
  LocalExecutor executor(config_for_workers(workers(), {{"queue_capacity", 1}}));
  const CancellationToken cancel;
  std::thread canceller([&] {
    // Cancel once the run is well under way, from a thread of its own.
    while (after->tasks.load() < 3) std::this_thread::sleep_for(std::chrono::microseconds(100));
    cancel.cancel("stopped by the test");
  });
  try {
    pipeline.run(executor, make_batches(2'000, 1), cancel);
    ADD_FAILURE() << "expected RunCancelled";
  } catch (const RunCancelled& cancelled) {
    EXPECT_EQ(cancelled.reason(), "stopped by the test");
    EXPECT_STREQ(cancelled.what(), "run cancelled: stopped by the test");
  }
  canceller.join();
  EXPECT_EQ(before->setups, workers());
  EXPECT_EQ(before->teardowns, before->setups);
  EXPECT_EQ(after->teardowns, after->setups);
  EXPECT_LT(before->tasks, 2'000);  // no new tasks after the cancel
  const auto stats = executor.last_run_stats();
  EXPECT_TRUE(stats.cancelled);
  EXPECT_FALSE(stats.succeeded);
  EXPECT_THAT(stats.error, HasSubstr("run cancelled: stopped by the test"));
  EXPECT_EQ(stats.to_json()["cancelled"], true);
}

TEST_P(LocalExecutorCancelTest, ACancelledTokenStopsTheRunBeforeAnythingIsSetUp) {
  auto counters = std::make_shared<LifecycleCounters>();
  const std::vector<StagePtr> stages{
      std::make_shared<CountingStage>("count", counters, actor_spec())};
  LocalExecutor executor(config_for_workers(workers()));
  const CancellationToken cancel;
  cancel.cancel("too late");
  EXPECT_THROW(executor.execute(stages, make_batches(10, 1), cancel), RunCancelled);
  EXPECT_EQ(counters->setups, 0);
  EXPECT_EQ(counters->tasks, 0);
}

TEST_P(LocalExecutorCancelTest, AStageErrorBeforeTheCancelIsWhatTheRunThrows) {
  const std::vector<StagePtr> stages{std::make_shared<ThrowingStage>("thrower", "batch_000003")};
  LocalExecutor executor(config_for_workers(workers()));
  const CancellationToken cancel;
  try {
    executor.execute(stages, make_batches(10, 1), cancel);
    ADD_FAILURE() << "expected the stage error";
  } catch (const RunCancelled&) {
    ADD_FAILURE() << "a stage error is not a cancel";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("boom on batch_000003"));
  }
  cancel.cancel();  // after the run: changes nothing
  EXPECT_FALSE(executor.last_run_stats().cancelled);
  // A token that was not cancelled leaves a run alone; the executor runs again.
  EXPECT_EQ(
      executor.execute({std::make_shared<TagStage>("t")}, make_batches(5, 1), CancellationToken())
          .size(),
      5u);
}

INSTANTIATE_TEST_SUITE_P(Workers, LocalExecutorCancelTest, ::testing::ValuesIn(kWorkerCounts),
                         [](const auto& param_info) {
                           return fmt::format("{}_workers", param_info.param);
                         });

}  // namespace
}  // namespace curate::testing
