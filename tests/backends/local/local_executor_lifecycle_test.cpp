// LocalExecutor: life cycle (setup, teardown, recycling, node setup, identity) and failures.

#include "backends/local/executor_test_util.hpp"
#include "support/test_stages.hpp"

#include "curate/backends/cluster.hpp"
#include "curate/backends/utils.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <set>

namespace curate::testing {
namespace {

using backends::LocalExecutor;
using ::testing::HasSubstr;

class LocalExecutorLifecycleTest : public ::testing::TestWithParam<int> {
 protected:
  int workers() const { return GetParam(); }
};

StageSpec max_calls_spec(int calls) {
  StageSpec spec;
  spec.set(StageSpecKey::MaxCallsPerWorker, calls);
  return spec;
}

StageSpec actor_spec() {
  StageSpec spec;
  spec.set(StageSpecKey::IsActorStage, true);
  return spec;
}

TEST_P(LocalExecutorLifecycleTest, SetsUpAndTearsDownEveryInstanceOnce) {
  auto counters = std::make_shared<LifecycleCounters>();
  const std::vector<StagePtr> stages{
      std::make_shared<CountingStage>("count", counters, actor_spec())};
  LocalExecutor executor(config_for_workers(workers()));
  EXPECT_EQ(run_or_die(executor, stages, make_batches(30, 1)).size(), 30u);
  EXPECT_EQ(counters->clones, workers());
  EXPECT_EQ(counters->setups, workers());
  EXPECT_EQ(counters->teardowns, workers());
  EXPECT_EQ(counters->tasks, 30);
}

TEST_P(LocalExecutorLifecycleTest, RecyclesInstancesAfterMaxCalls) {
  auto counters = std::make_shared<LifecycleCounters>();
  const std::vector<StagePtr> stages{
      std::make_shared<CountingStage>("recycled", counters, max_calls_spec(3))};
  LocalExecutor executor(config_for_workers(workers()));
  EXPECT_EQ(run_or_die(executor, stages, make_batches(20, 1)).size(), 20u);
  EXPECT_EQ(counters->calls, 20);
  EXPECT_LE(counters->max_calls_per_instance, 3);
  EXPECT_GE(counters->setups, 7);  // ceil(20 / 3)
  EXPECT_EQ(counters->clones, counters->setups);
  EXPECT_EQ(counters->teardowns, counters->setups);
  EXPECT_EQ(executor.last_run_stats().stages[0].instances,
            static_cast<std::uint64_t>(counters->setups.load()));
  if (workers() == 1) {
    EXPECT_EQ(counters->setups, 7);
  }
}

TEST_P(LocalExecutorLifecycleTest, ThrowingStageNamesStageAndTaskAndStopsEverything) {
  auto before = std::make_shared<LifecycleCounters>();
  auto after = std::make_shared<LifecycleCounters>();
  const std::vector<StagePtr> stages{
      std::make_shared<CountingStage>("before", before, actor_spec()),
      std::make_shared<ThrowingStage>("thrower", "batch_000042"),
      std::make_shared<CountingStage>("after", after, actor_spec())};
  LocalExecutor executor(config_for_workers(workers(), {{"queue_capacity", 1}}));
  try {
    run_or_die(executor, stages, make_batches(500, 1));
    FAIL() << "expected the run to fail";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("stage 'thrower' failed on task 'batch_000042'"));
    EXPECT_THAT(error.what(), HasSubstr("boom on batch_000042"));
    try {
      std::rethrow_if_nested(error);
      ADD_FAILURE() << "the original exception should be nested";
    } catch (const std::runtime_error& original) {
      EXPECT_STREQ(original.what(), "boom on batch_000042");
    }
  }
  // Every instance ever set up is torn down, upstream and downstream of the failure.
  EXPECT_EQ(before->setups, workers());
  EXPECT_EQ(before->teardowns, before->setups);
  EXPECT_EQ(after->teardowns, after->setups);
  EXPECT_LT(before->tasks, 500);  // the failure stopped the source early
  const auto stats = executor.last_run_stats();
  EXPECT_FALSE(stats.succeeded);
  EXPECT_THAT(stats.error, HasSubstr("batch_000042"));
}

TEST_P(LocalExecutorLifecycleTest, SetupFailureTearsDownTheOthers) {
  auto counters = std::make_shared<LifecycleCounters>();
  const std::vector<StagePtr> stages{
      std::make_shared<CountingStage>("count", counters, actor_spec()),
      std::make_shared<ThrowingStage>("bad_setup", "", true)};
  LocalExecutor executor(config_for_workers(workers()));
  try {
    run_or_die(executor, stages, make_batches(50, 1));
    FAIL() << "expected the run to fail";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("stage 'bad_setup' failed in setup of worker 'bad_setup-"));
  }
  EXPECT_EQ(counters->teardowns, counters->setups);
}

INSTANTIATE_TEST_SUITE_P(Workers, LocalExecutorLifecycleTest, ::testing::ValuesIn(kWorkerCounts),
                         [](const auto& param_info) {
                           return fmt::format("{}_workers", param_info.param);
                         });

// Records the calls of setup_on_node per node, and what a worker sees of itself.
struct IdentityLog {
  std::mutex mutex;
  std::map<std::string, int> node_setups;
  std::set<std::string> setup_workers;
  std::set<std::string> process_workers;
  std::set<std::string> nodes;
  std::vector<double> cpus;
  std::string env_value;
};

class IdentityStage : public CloneableStage<IdentityStage> {
 public:
  explicit IdentityStage(std::shared_ptr<IdentityLog> log)
      : CloneableStage("ident"), log_(std::move(log)) {}
  void setup_on_node(const NodeInfo& node, const WorkerMetadata& worker) override {
    std::lock_guard lock(log_->mutex);
    ++log_->node_setups[node.node_id];
    EXPECT_EQ(worker.worker_id, "");
  }
  void setup(const WorkerMetadata& worker) override {
    const auto [node, metadata] = backends::get_worker_metadata_and_node_id();
    std::lock_guard lock(log_->mutex);
    EXPECT_EQ(metadata.worker_id, worker.worker_id);
    log_->setup_workers.insert(metadata.worker_id);
    log_->nodes.insert(node.node_id);
    if (metadata.allocation) log_->cpus.push_back(metadata.allocation->cpus);
    const char* env = std::getenv("CURATE_LOCAL_TEST_VAR");
    log_->env_value = env ? env : "";
  }
  std::vector<TaskPtr> process(TaskPtr task) override {
    const auto [node, metadata] = backends::get_worker_metadata_and_node_id();
    std::lock_guard lock(log_->mutex);
    log_->process_workers.insert(metadata.worker_id);
    return {std::move(task)};
  }
  StageSpec ray_stage_spec() const override { return actor_spec(); }

 private:
  std::shared_ptr<IdentityLog> log_;
};

TEST(LocalExecutorTest, RunsNodeSetupOncePerNodeAndGivesWorkersTheirIdentity) {
  auto cluster = std::make_shared<backends::StaticCluster>(std::vector<backends::NodeResources>{
      {"head", 2, 0, true}, {"node-b", 2, 0, false}, {"node-c", 2, 0, false}});
  backends::ClusterScope scope(cluster);
  auto log = std::make_shared<IdentityLog>();
  const std::vector<StagePtr> stages{std::make_shared<IdentityStage>(log)};
  LocalExecutor executor(nlohmann::json{
      {"num_cpus", 4}, {"runtime_env", {{"env_vars", {{"CURATE_LOCAL_TEST_VAR", "on"}}}}}});
  run_or_die(executor, stages, make_batches(40, 1));
  EXPECT_EQ(log->node_setups,
            (std::map<std::string, int>{{"head", 1}, {"node-b", 1}, {"node-c", 1}}));
  EXPECT_EQ(log->setup_workers,
            (std::set<std::string>{"ident-0", "ident-1", "ident-2", "ident-3"}));
  EXPECT_TRUE(std::includes(log->setup_workers.begin(), log->setup_workers.end(),
                            log->process_workers.begin(), log->process_workers.end()));
  EXPECT_EQ(log->nodes, std::set<std::string>{"head"});
  EXPECT_EQ(log->cpus, std::vector<double>(4, 1.0));
  EXPECT_EQ(log->env_value, "on");
  EXPECT_EQ(std::getenv("CURATE_LOCAL_TEST_VAR"), nullptr);  // restored after the run

  // With ignore_head_node the head is skipped for node setup (and its CPUs for pools).
  auto skipped = std::make_shared<IdentityLog>();
  LocalExecutor without_head(nlohmann::json::object(), /*ignore_head_node=*/true);
  run_or_die(without_head, {std::make_shared<IdentityStage>(skipped)}, make_batches(4, 1));
  EXPECT_EQ(skipped->node_setups, (std::map<std::string, int>{{"node-b", 1}, {"node-c", 1}}));
  EXPECT_EQ(without_head.last_run_stats().stages[0].workers, 4);
}

TEST(LocalExecutorTest, NodeSetupFailureIsReportedBeforeWorkersStart) {
  class BadNode : public CloneableStage<BadNode> {
   public:
    explicit BadNode(std::shared_ptr<LifecycleCounters> counters)
        : CloneableStage("bad_node"), counters_(std::move(counters)) {}
    void setup_on_node(const NodeInfo&, const WorkerMetadata&) override {
      throw std::runtime_error("no disk");
    }
    void setup(const WorkerMetadata&) override { ++counters_->setups; }
    std::vector<TaskPtr> process(TaskPtr task) override { return {std::move(task)}; }

   private:
    std::shared_ptr<LifecycleCounters> counters_;
  };
  auto counters = std::make_shared<LifecycleCounters>();
  LocalExecutor executor(config_for_workers(2));
  try {
    executor.execute({std::make_shared<BadNode>(counters)}, make_seeds(1));
    FAIL() << "expected the run to fail";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("bad_node"));
    EXPECT_THAT(error.what(), HasSubstr("no disk"));
  }
  EXPECT_EQ(counters->setups, 0);
}

}  // namespace
}  // namespace curate::testing
