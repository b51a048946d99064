// LocalExecutor: ids and order, fan-out, fusion, zero tasks, statistics.

#include "backends/local/executor_test_util.hpp"
#include "support/log_capture.hpp"
#include "support/test_stages.hpp"

#include "curate/backends/run_stats.hpp"
#include "curate/core/pipeline.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

namespace curate::testing {
namespace {

using backends::LocalExecutor;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class LocalExecutorOrderTest : public ::testing::TestWithParam<std::tuple<int, bool>> {
 protected:
  int workers() const { return std::get<0>(GetParam()); }
  bool fuse() const { return std::get<1>(GetParam()); }
  nlohmann::json config() const {
    return config_for_workers(workers(), {{"fuse_task_stages", fuse()}, {"queue_capacity", 2}});
  }
};

TEST_P(LocalExecutorOrderTest, KeepsIdsAndInputOrderThroughJitter) {
  auto inputs = make_batches(60, test_rows(4));
  const auto expected_ids = ids_of(inputs);
  const std::vector<StagePtr> stages{std::make_shared<TagStage>("a"),
                                     std::make_shared<JitterStage>("jitter", 300),
                                     std::make_shared<TagStage>("b", 3)};
  LocalExecutor executor(config());
  const auto outputs = run_or_die(executor, stages, std::move(inputs));
  EXPECT_EQ(ids_of(outputs), expected_ids);
  for (const auto& task : outputs) {
    EXPECT_EQ(task->metadata()["trace"], nlohmann::json::array({"a", "b"})) << task->task_id();
    std::vector<std::string> perf;
    for (const auto& record : task->stage_perf()) perf.push_back(record.stage_name);
    EXPECT_THAT(perf, ElementsAre("a", "jitter", "b"));
  }
}

TEST_P(LocalExecutorOrderTest, FanOutOutputsGetChildIdsInSequentialOrder) {
  const std::vector<StagePtr> stages{std::make_shared<FanOutStage>("fan", 5, test_rows(2)),
                                     std::make_shared<JitterStage>("jitter", 200),
                                     std::make_shared<TagStage>("tag")};
  LocalExecutor executor(config());
  const auto outputs = run_or_die(executor, stages, make_seeds(6));
  std::vector<std::string> expected;
  for (int seed = 0; seed < 6; ++seed) {
    for (int i = 0; i < 5; ++i) expected.push_back(fmt::format("seed_{:06}_{}", seed, i));
  }
  EXPECT_EQ(ids_of(outputs), expected);
  const auto stats = executor.last_run_stats();
  ASSERT_EQ(stats.stages.size(), 3u);
  EXPECT_EQ(stats.stages[0].tasks_in, 6u);
  EXPECT_EQ(stats.stages[0].tasks_out, 30u);
  EXPECT_EQ(stats.stages[2].tasks_out, 30u);
}

TEST_P(LocalExecutorOrderTest, AttachesPerfRecordsWithInputSizes) {
  const int rows = test_rows(3);
  const std::vector<StagePtr> stages{std::make_shared<TagStage>("only", 2)};
  LocalExecutor executor(config());
  const auto outputs = run_or_die(executor, stages, make_batches(10, rows));
  ASSERT_EQ(outputs.size(), 10u);
  for (const auto& task : outputs) {
    ASSERT_EQ(task->stage_perf().size(), 1u);
    const auto& record = task->stage_perf().front();
    EXPECT_EQ(record.stage_name, "only");
    EXPECT_GE(record.process_time_s, 0.0);
    EXPECT_GE(record.idle_time_s, 0.0);
    // batch_size 2: a call sees one or two tasks of `rows` documents.
    EXPECT_TRUE(record.input_size == static_cast<std::size_t>(rows) ||
                record.input_size == static_cast<std::size_t>(2 * rows));
    EXPECT_TRUE(record.items_processed == 1 || record.items_processed == 2);
  }
}

TEST_P(LocalExecutorOrderTest, CountsDocumentsAndDropsPerStage) {
  const std::vector<StagePtr> stages{std::make_shared<TagStage>("before"),
                                     std::make_shared<DropOddStage>("drop_odd"),
                                     std::make_shared<TagStage>("after")};
  LocalExecutor executor(config());
  const auto outputs = run_or_die(executor, stages, make_batches(10, 10));
  ASSERT_EQ(outputs.size(), 10u);
  for (const auto& task : outputs) {
    EXPECT_EQ(task->num_items(), 5u);
    EXPECT_FALSE(task->metadata().contains(backends::kDroppedByReasonKey));
  }
  const auto stats = executor.last_run_stats();
  EXPECT_TRUE(stats.succeeded);
  EXPECT_EQ(stats.input_tasks, 10u);
  EXPECT_EQ(stats.output_tasks, 10u);
  ASSERT_EQ(stats.stages.size(), 3u);
  EXPECT_EQ(stats.stages[1].name, "drop_odd");
  EXPECT_EQ(stats.stages[1].items_in, 100u);
  EXPECT_EQ(stats.stages[1].unit_in, "documents");
  EXPECT_EQ(stats.stages[1].items_out, 50u);
  EXPECT_EQ(stats.stages[1].unit_out, "documents");
  EXPECT_EQ(stats.stages[1].documents_out(), 50u);
  EXPECT_EQ(stats.stages[1].dropped_by_reason.at("odd"), 50u);
  EXPECT_TRUE(stats.stages[0].dropped_by_reason.empty());
  EXPECT_TRUE(stats.stages[2].dropped_by_reason.empty());  // counted once, not inherited
  EXPECT_EQ(stats.stages[2].documents_in(), 50u);
  for (const auto& stage : stats.stages) {
    EXPECT_EQ(stage.tasks_in, 10u);
    EXPECT_EQ(stage.workers, workers());
    EXPECT_GE(stage.instances, 1u);
    EXPECT_GE(stage.wall_time_s, 0.0);
  }
  const auto json = stats.to_json();
  EXPECT_EQ(json["stages"][1]["dropped_by_reason"]["odd"], 50);
  EXPECT_EQ(backends::RunStats::from_json(json).to_json(), json);
  EXPECT_THAT(stats.to_table(), HasSubstr("drop_odd"));

  const auto progress = executor.progress();
  ASSERT_EQ(progress.size(), 3u);
  EXPECT_EQ(progress[2].tasks_done, 10u);
  EXPECT_EQ(progress[2].items_in, 50u);
  EXPECT_EQ(progress[2].unit_in, "documents");
  EXPECT_EQ(progress[2].documents(), 50u);
  EXPECT_EQ(progress[0].queue_depth, 0u);
}

TEST_P(LocalExecutorOrderTest, SourceThatProducesNothingCompletes) {
  // A filter dropping every task: nothing reaches the later stages, and nothing hangs.
  class DropAll : public CloneableStage<DropAll> {
   public:
    DropAll() : CloneableStage("drop_all") {}
    std::vector<TaskPtr> process(TaskPtr) override { return {}; }
  };
  const std::vector<StagePtr> stages{std::make_shared<DropAll>(), std::make_shared<TagStage>("t"),
                                     std::make_shared<SleepingStage>("actor", 0, true)};
  LocalExecutor executor(config());
  EXPECT_TRUE(run_or_die(executor, stages, make_batches(20, 1)).empty());
  EXPECT_EQ(executor.last_run_stats().stages[1].tasks_in, 0u);
}

INSTANTIATE_TEST_SUITE_P(Workers, LocalExecutorOrderTest,
                         ::testing::Combine(::testing::ValuesIn(kWorkerCounts), ::testing::Bool()),
                         [](const auto& param_info) {
                           return fmt::format("{}_workers_{}", std::get<0>(param_info.param),
                                              std::get<1>(param_info.param) ? "fused" : "unfused");
                         });

TEST(LocalExecutorTest, ZeroInputTasksIsAnErrorBeforeAnythingStarts) {
  auto counters = std::make_shared<LifecycleCounters>();
  const std::vector<StagePtr> stages{std::make_shared<CountingStage>("count", counters)};
  LocalExecutor executor;
  try {
    executor.execute(stages, {});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), HasSubstr("no input tasks"));
  }
  EXPECT_EQ(counters->clones, 0);
  EXPECT_EQ(counters->setups, 0);
}

TEST(LocalExecutorTest, NoStagesIsAnError) {
  LocalExecutor executor;
  EXPECT_THROW(executor.execute({}, make_seeds(1)), std::invalid_argument);
}

TEST(LocalExecutorTest, RunsThroughPipelineWithDefaultSeed) {
  Pipeline pipeline("p",
                    {std::make_shared<FanOutStage>("fan", 3, 2), std::make_shared<TagStage>("t")});
  LocalExecutor executor(config_for_workers(2));
  const auto outputs = pipeline.run(executor);
  EXPECT_THAT(ids_of(outputs), ElementsAre("empty_0", "empty_1", "empty_2"));
}

TEST(LocalExecutorTest, FusesConsecutiveTaskStagesOnly) {
  const std::vector<StagePtr> stages{
      std::make_shared<TagStage>("a"), std::make_shared<TagStage>("b"),
      std::make_shared<TagStage>("c", 4),  // batch size 4: starts its own segment
      std::make_shared<SleepingStage>("actor", 0, true), std::make_shared<TagStage>("d")};
  {
    LogCapture log;
    LocalExecutor executor(config_for_workers(2));
    run_or_die(executor, stages, make_batches(8, 1));
    EXPECT_TRUE(log.contains("[a+b] x2, [c] x2, [actor] x2, [d] x2"))
        << fmt::format("{}", fmt::join(log.lines(), "\n"));
  }
  {
    LogCapture log;
    LocalExecutor executor(config_for_workers(2, {{"fuse_task_stages", false}}));
    run_or_die(executor, stages, make_batches(8, 1));
    EXPECT_TRUE(log.contains("[a] x2, [b] x2, [c] x2"));
  }
}

TEST(LocalExecutorTest, DiscardOutputsCountsButReturnsNothing) {
  LocalExecutor executor(config_for_workers(2, {{"discard_outputs", true}}));
  EXPECT_TRUE(run_or_die(executor, {std::make_shared<TagStage>("t")}, make_batches(25, 2)).empty());
  const auto stats = executor.last_run_stats();
  EXPECT_EQ(stats.output_tasks, 25u);
  EXPECT_EQ(stats.stages[0].documents_out(), 50u);
}

TEST(LocalExecutorTest, InvalidConfigIsReported) {
  const std::vector<StagePtr> stages{std::make_shared<TagStage>("a")};
  LocalExecutor bad_capacity(nlohmann::json{{"queue_capacity", 0}});
  EXPECT_THROW(bad_capacity.execute(stages, make_seeds(1)), std::invalid_argument);
  LocalExecutor bad_level(nlohmann::json{{"log_level", "loud"}});
  EXPECT_THROW(bad_level.execute(stages, make_seeds(1)), std::invalid_argument);
  LocalExecutor bad_cpus(nlohmann::json{{"num_cpus", -1}});
  EXPECT_THROW(bad_cpus.execute(stages, make_seeds(1)), std::invalid_argument);
  LocalExecutor bad_fuse(nlohmann::json{{"fuse_task_stages", "yes"}});
  EXPECT_THROW(bad_fuse.execute(stages, make_seeds(1)), std::invalid_argument);
  LocalExecutor misspelt(nlohmann::json{{"queue_capacty", 4}});
  try {
    misspelt.execute(stages, make_seeds(1));
    FAIL() << "an unknown key must be an error";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(),
                HasSubstr("unknown key 'queue_capacty' (did you mean 'queue_capacity'"));
  }
}

}  // namespace
}  // namespace curate::testing
