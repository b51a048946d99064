// LocalExecutor: worker pools against resources, fan-out parallelism, backpressure,
// env vars and progress.

#include "backends/local/executor_test_util.hpp"
#include "support/log_capture.hpp"
#include "support/test_stages.hpp"

#include "curate/backends/cluster.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

namespace curate::testing {
namespace {

using backends::LocalExecutor;
using ::testing::HasSubstr;

class LocalExecutorPoolTest : public ::testing::TestWithParam<int> {
 protected:
  int workers() const { return GetParam(); }
};

TEST_P(LocalExecutorPoolTest, FanOutReachesAllDownstreamWorkersAtOnce) {
  // The gate lets calls through only once `workers` of them are inside together: it
  // opens only if the fan-out's outputs reach every worker of the next stage at once.
  auto gate = std::make_shared<GateState>(workers());
  const std::vector<StagePtr> stages{std::make_shared<FanOutStage>("fan", 4 * workers(), 1),
                                     std::make_shared<GateStage>("gate", gate)};
  LocalExecutor executor(config_for_workers(workers()));
  EXPECT_EQ(run_or_die(executor, stages, make_seeds(1)).size(),
            static_cast<std::size_t>(4 * workers()));
  EXPECT_FALSE(gate->timed_out) << "only " << gate->max_inside << " of " << workers()
                                << " workers held a task at once";
  EXPECT_EQ(gate->max_inside, workers());
}

TEST_P(LocalExecutorPoolTest, FastSourceNeverRunsAheadOfTheQueueBound) {
  constexpr int kTasks = 300;
  constexpr int kCapacity = 2;
  auto flight = std::make_shared<FlightCounter>();
  const std::vector<StagePtr> stages{std::make_shared<CreatingStage>("source", flight),
                                     std::make_shared<ConsumingStage>("slow", flight, 200)};
  LocalExecutor executor(config_for_workers(workers(), {{"queue_capacity", kCapacity}}));
  EXPECT_EQ(run_or_die(executor, stages, make_seeds(kTasks)).size(), std::size_t{kTasks});
  EXPECT_EQ(flight->created, kTasks);
  EXPECT_EQ(flight->consumed, kTasks);
  // In flight at most: the queue, one output per source worker blocked on the full
  // queue, and one popped task per slow worker not yet counted as consumed.
  EXPECT_LE(flight->max_in_flight, kCapacity + 2 * workers());
}

INSTANTIATE_TEST_SUITE_P(Workers, LocalExecutorPoolTest, ::testing::ValuesIn(kWorkerCounts),
                         [](const auto& param_info) {
                           return fmt::format("{}_workers", param_info.param);
                         });

TEST(LocalExecutorResourcesTest, CapsRequestedWorkersAtAvailableCpus) {
  auto counters = std::make_shared<LifecycleCounters>();
  auto stage = with_workers(std::make_shared<CountingStage>("wide", counters), 8);
  StageSpec spec;
  spec.set(StageSpecKey::RayRemoteArgs, {{"num_workers", 6}});
  auto remote = with_spec(std::make_shared<TagStage>("remote"), spec);
  LogCapture log;
  LocalExecutor executor(nlohmann::json{{"num_cpus", 2}});
  run_or_die(executor, {stage, remote}, make_batches(10, 1));
  const auto stats = executor.last_run_stats();
  EXPECT_EQ(stats.stages[0].workers, 2);
  EXPECT_EQ(stats.stages[1].workers, 2);
  EXPECT_TRUE(log.contains("stage 'wide' asks for 8 workers but the resources allow 2"));
  EXPECT_TRUE(log.contains("stage 'remote' asks for 6 workers but the resources allow 2"));
}

TEST(LocalExecutorResourcesTest, SizesPoolsByCpusAndGpusPerWorker) {
  StageSpec half_cpu;
  half_cpu.set(StageSpecKey::RayRemoteArgs, {{"num_cpus", 0.5}});
  auto small = with_spec(std::make_shared<TagStage>("small"), half_cpu);
  auto big = with_resources(std::make_shared<TagStage>("big"), Resources{.cpus = 2.0});
  auto gpu = with_resources(std::make_shared<TagStage>("gpu"), Resources{.cpus = 1.0, .gpus = 0.5});
  LocalExecutor executor(nlohmann::json{{"num_cpus", 4}, {"num_gpus", 2}});
  run_or_die(executor, {small, big, gpu}, make_batches(6, 1));
  const auto stats = executor.last_run_stats();
  EXPECT_EQ(stats.stages[0].workers, 8);  // 4 / 0.5
  EXPECT_EQ(stats.stages[1].workers, 2);  // 4 / 2
  EXPECT_EQ(stats.stages[2].workers, 4);  // min(4 / 1, 2 / 0.5)
}

TEST(LocalExecutorResourcesTest, GpuDemandBeyondTheClusterIsAnErrorBeforeStarting) {
  auto counters = std::make_shared<LifecycleCounters>();
  auto gpu = with_resources(std::make_shared<CountingStage>("gpu_stage", counters),
                            Resources{.cpus = 1.0, .gpus = 2.0});
  LocalExecutor overridden(nlohmann::json{{"num_gpus", 1}});
  try {
    overridden.execute({gpu}, make_seeds(1));
    FAIL() << "expected an error";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("stage 'gpu_stage' needs 2 GPUs per worker"));
    EXPECT_THAT(error.what(), HasSubstr("Need 2 GPUs but cluster has 1 available."));
  }
  // Without an override the cluster's GPUs count (check_total_gpu_capacity).
  backends::ClusterScope scope(std::make_shared<backends::StaticCluster>(
      std::vector<backends::NodeResources>{{"head", 8, 1, true}}));
  LocalExecutor executor;
  try {
    executor.execute({gpu}, make_seeds(1));
    FAIL() << "expected an error";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("Need 2 GPUs but cluster has 1 available."));
  }
  EXPECT_EQ(counters->setups, 0);  // nothing was set up
}

TEST(LocalExecutorResourcesTest, CpuDemandBeyondTheClusterIsAnError) {
  auto big = with_resources(std::make_shared<TagStage>("huge"), Resources{.cpus = 16.0});
  LocalExecutor executor(nlohmann::json{{"num_cpus", 2}});
  try {
    executor.execute({big}, make_seeds(1));
    FAIL() << "expected an error";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(),
                HasSubstr("stage 'huge' needs 16 CPUs per worker but the cluster has 2"));
  }
}

TEST(LocalExecutorResourcesTest, GivesGpuWorkersDistinctGpuIndices) {
  class GpuProbe : public CloneableStage<GpuProbe> {
   public:
    explicit GpuProbe(std::shared_ptr<std::vector<std::vector<int>>> seen,
                      std::shared_ptr<std::mutex> mutex)
        : CloneableStage("probe", Resources{.cpus = 1.0, .gpus = 1.0}),
          seen_(std::move(seen)),
          mutex_(std::move(mutex)) {}
    void setup(const WorkerMetadata& worker) override {
      std::lock_guard lock(*mutex_);
      seen_->push_back(worker.allocation->gpu_indices);
    }
    std::vector<TaskPtr> process(TaskPtr task) override { return {std::move(task)}; }

   private:
    std::shared_ptr<std::vector<std::vector<int>>> seen_;
    std::shared_ptr<std::mutex> mutex_;
  };
  auto seen = std::make_shared<std::vector<std::vector<int>>>();
  LocalExecutor executor(nlohmann::json{{"num_cpus", 8}, {"num_gpus", 2}});
  run_or_die(executor, {std::make_shared<GpuProbe>(seen, std::make_shared<std::mutex>())},
             make_batches(4, 1));
  std::sort(seen->begin(), seen->end());
  EXPECT_EQ(*seen, (std::vector<std::vector<int>>{{0}, {1}}));
}

TEST(LocalExecutorResourcesTest, StageEnvVarsOverrideTheConfigWithAWarning) {
  StageSpec spec;
  spec.set(StageSpecKey::RayRemoteArgs,
           {{"runtime_env", {{"env_vars", {{"CURATE_LOCAL_B", "3"}}}}}});
  auto stage = with_spec(std::make_shared<TagStage>("env_stage"), spec);
  LogCapture log;
  LocalExecutor executor(nlohmann::json{
      {"num_cpus", 1},
      {"runtime_env", {{"env_vars", {{"CURATE_LOCAL_A", "1"}, {"CURATE_LOCAL_B", "2"}}}}}});
  run_or_die(executor, {stage}, make_batches(1, 1));
  EXPECT_TRUE(log.contains("Stage ray_remote_args override executor env vars: CURATE_LOCAL_B"));
}

// Polls the executor's progress from inside a stage, i.e. from another thread than
// the driver's, while the run is in progress.
class ProgressProbe : public CloneableStage<ProgressProbe> {
 public:
  ProgressProbe(const LocalExecutor* executor,
                std::shared_ptr<std::vector<backends::StageProgress>> last)
      : CloneableStage("probe"), executor_(executor), last_(std::move(last)) {}
  std::vector<TaskPtr> process(TaskPtr task) override {
    *last_ = executor_->progress();
    return {std::move(task)};
  }
  StageSpec ray_stage_spec() const override {
    StageSpec spec;
    spec.set(StageSpecKey::IsActorStage, true);
    return spec;
  }

 private:
  const LocalExecutor* executor_;
  std::shared_ptr<std::vector<backends::StageProgress>> last_;
};

TEST(LocalExecutorResourcesTest, ReportsProgressWhileRunning) {
  auto last = std::make_shared<std::vector<backends::StageProgress>>();
  LocalExecutor executor(nlohmann::json{{"num_cpus", 1}});
  run_or_die(
      executor,
      {std::make_shared<TagStage>("first"), std::make_shared<ProgressProbe>(&executor, last)},
      make_batches(20, 3));
  ASSERT_EQ(last->size(), 2u);
  EXPECT_EQ((*last)[0].name, "first");
  EXPECT_EQ((*last)[0].tasks_done, 20u);  // one worker: the probe's last call sees all of it
  EXPECT_EQ((*last)[0].items_in, 60u);
  EXPECT_EQ((*last)[1].tasks_done, 19u);  // its own last call is not done yet
  const auto final_progress = executor.progress();
  EXPECT_EQ(final_progress[1].tasks_done, 20u);
}

}  // namespace
}  // namespace curate::testing
