#include "curate/backends/utils.hpp"

#include "curate/backends/worker_identity.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

namespace curate::backends {
namespace {

using nlohmann::json;

// Captures what the default logger prints during a test, then restores it.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
    sink->set_pattern("%l|%v");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return stream_.str(); }

 private:
  std::shared_ptr<spdlog::logger> previous_;
  std::ostringstream stream_;
};

std::shared_ptr<StaticCluster> cluster_of(std::vector<NodeResources> nodes) {
  return std::make_shared<StaticCluster>(std::move(nodes));
}

TEST(MergeExecutorConfigs, DeepMergesTheContractExample) {
  const json base = {{"runtime_env", {{"env_vars", {{"A", "1"}, {"B", "2"}}}}}};
  const json override_config = {{"runtime_env", {{"env_vars", {{"B", "3"}, {"C", "4"}}}}}};
  const json base_before = base;
  const json override_before = override_config;
  EXPECT_EQ(merge_executor_configs(base, override_config),
            (json{{"runtime_env", {{"env_vars", {{"A", "1"}, {"B", "3"}, {"C", "4"}}}}}}));
  EXPECT_EQ(base, base_before);
  EXPECT_EQ(override_config, override_before);
}

TEST(MergeExecutorConfigs, HandlesNullAndReplacesNonObjects) {
  EXPECT_EQ(merge_executor_configs(nullptr, nullptr), json::object());
  EXPECT_EQ(merge_executor_configs(nullptr, json{{"a", 1}}), (json{{"a", 1}}));
  EXPECT_EQ(merge_executor_configs(json{{"a", 1}}, nullptr), (json{{"a", 1}}));
  EXPECT_EQ(merge_executor_configs(json{{"a", 1}}, json{{"a", {{"b", 2}}}}),
            (json{{"a", {{"b", 2}}}}));
  EXPECT_EQ(merge_executor_configs(json{{"a", {{"b", 2}}}}, json{{"a", 5}}), (json{{"a", 5}}));
  EXPECT_EQ(merge_executor_configs(json{{"l", {1, 2}}}, json{{"l", {3}}}), (json{{"l", {3}}}));
}

TEST(WarnOnEnvVarOverride, NamesChangedKeysSortedInOneWarning) {
  LogCapture capture;
  const json existing = {{"runtime_env", {{"env_vars", {{"Z", "1"}, {"A", "1"}, {"K", "1"}}}}}};
  const json merged = {{"runtime_env", {{"env_vars", {{"Z", "2"}, {"A", "9"}, {"K", "1"}}}}}};
  warn_on_env_var_override(existing, merged);
  EXPECT_EQ(capture.text(), "warning|Stage ray_remote_args override executor env vars: A, Z\n");
}

TEST(WarnOnEnvVarOverride, SilentWhenNothingToCompareOrNothingChanged) {
  LogCapture capture;
  const json env = {{"runtime_env", {{"env_vars", {{"A", "1"}}}}}};
  warn_on_env_var_override(json::object(), env);
  warn_on_env_var_override(env, json::object());
  warn_on_env_var_override(env, env);
  warn_on_env_var_override(nullptr, json{{"runtime_env", 3}});
  warn_on_env_var_override(env, json{{"runtime_env", {{"env_vars", {{"B", "2"}}}}}});
  EXPECT_EQ(capture.text(), "");
}

TEST(CheckTotalGpuCapacity, ReferenceCases) {
  ClusterScope scope(cluster_of({{"head", 16, 8, true}}));
  EXPECT_NO_THROW(check_total_gpu_capacity(4));
  EXPECT_NO_THROW(check_total_gpu_capacity(8));
  try {
    check_total_gpu_capacity(9);
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "Need 9 GPUs but cluster has 8 available.");
  }
  ClusterScope none(cluster_of({{"head", 16, 0, true}}));
  try {
    check_total_gpu_capacity(1);
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "Need 1 GPUs but cluster has 0 available.");
  }
}

TEST(CheckTotalGpuCapacity, FloorsFractionalGpusAndHonoursIgnoreHeadNode) {
  ClusterScope scope(cluster_of({{"head", 8, 2, true}, {"worker", 8, 2.5, false}}));
  EXPECT_NO_THROW(check_total_gpu_capacity(4));
  EXPECT_THROW(check_total_gpu_capacity(5), std::runtime_error);
  EXPECT_NO_THROW(check_total_gpu_capacity(2, true));
  EXPECT_THROW(check_total_gpu_capacity(3, true), std::runtime_error);
}

TEST(GetAvailableResources, TotalsAliveNodesAndSubtractsTheHead) {
  ClusterScope scope(cluster_of({{"head", 4, 1, true}, {"n1", 8, 2, false}, {"n2", 16, 4, false}}));
  EXPECT_EQ(get_available_cpu_gpu_resources(), std::make_pair(28.0, 7.0));
  EXPECT_EQ(get_available_cpu_gpu_resources(false, true), std::make_pair(24.0, 6.0));
}

TEST(GetAvailableResources, IgnoringTheOnlyNodeLeavesNothing) {
  ClusterScope scope(cluster_of({{"solo", 8, 1, true}}));
  EXPECT_EQ(get_available_cpu_gpu_resources(false, true), std::make_pair(0.0, 0.0));
}

TEST(GetAvailableResources, WarnsWhenNoHeadNodeIsKnown) {
  ClusterScope scope(cluster_of({{"n1", 8, 1, false}, {"n2", 8, 1, false}}));
  LogCapture capture;
  EXPECT_EQ(get_available_cpu_gpu_resources(false, true), std::make_pair(16.0, 2.0));
  EXPECT_EQ(capture.text(),
            "warning|ignore_head_node=True but no head node found in the cluster\n");
}

TEST(GetAvailableResources, LocalMachineIsItsOwnHeadNode) {
  const auto [cpus, gpus] = get_available_cpu_gpu_resources();
  EXPECT_GT(cpus, 0.0);
  EXPECT_GE(gpus, 0.0);
  EXPECT_EQ(get_available_cpu_gpu_resources(false, true), std::make_pair(0.0, 0.0));
}

class ConnectionCountingCluster : public Cluster {
 public:
  std::vector<NodeResources> nodes() const override { return {{"n", 2, 0, true}}; }
  std::string current_node_id() const override { return "n"; }
  std::vector<std::exception_ptr> run_on_each_node(
      const std::vector<std::string>& ids,
      const std::function<void(const NodeInfo&)>& work) override {
    for (const auto& id : ids) work(NodeInfo{id});
    return std::vector<std::exception_ptr>(ids.size());
  }
  bool is_connected() const override { return connected; }
  void connect() override {
    connected = true;
    ++connects;
  }
  void disconnect() override {
    connected = false;
    ++disconnects;
  }
  bool connected = false;
  int connects = 0;
  int disconnects = 0;
};

TEST(GetAvailableResources, InitAndShutdownConnectsOnlyWhenNeeded) {
  auto cluster = std::make_shared<ConnectionCountingCluster>();
  ClusterScope scope(cluster);
  get_available_cpu_gpu_resources(true);
  EXPECT_EQ(cluster->connects, 1);
  EXPECT_EQ(cluster->disconnects, 1);
  cluster->connected = true;
  get_available_cpu_gpu_resources(true);
  EXPECT_EQ(cluster->connects, 1);
  EXPECT_TRUE(cluster->connected);
}

class SetupRecordingStage : public CloneableStage<SetupRecordingStage> {
 public:
  struct Log {
    std::mutex mutex;
    std::multimap<std::string, std::string> calls;  // node -> stage
    std::vector<std::string> worker_ids;
  };
  SetupRecordingStage(std::string name, std::shared_ptr<Log> log,
                      std::chrono::milliseconds sleep = std::chrono::milliseconds(0),
                      std::string fail_on = "")
      : CloneableStage(std::move(name)),
        log_(std::move(log)),
        sleep_(sleep),
        fail_on_(std::move(fail_on)) {}
  std::vector<TaskPtr> process(TaskPtr task) override { return {task}; }
  void setup_on_node(const NodeInfo& node, const WorkerMetadata& worker) override {
    std::this_thread::sleep_for(sleep_);
    {
      std::lock_guard lock(log_->mutex);
      log_->calls.emplace(node.node_id, name());
      log_->worker_ids.push_back(worker.worker_id);
      EXPECT_FALSE(worker.allocation.has_value());
    }
    if (node.node_id == fail_on_) throw std::runtime_error("disk full");
  }

 private:
  std::shared_ptr<Log> log_;
  std::chrono::milliseconds sleep_;
  std::string fail_on_;
};

std::vector<std::shared_ptr<ProcessingStage>> three_stages(
    const std::shared_ptr<SetupRecordingStage::Log>& log, std::chrono::milliseconds sleep,
    std::string fail_on = "") {
  return {std::make_shared<SetupRecordingStage>("a", log, sleep, fail_on),
          std::make_shared<SetupRecordingStage>("b", log, sleep),
          std::make_shared<SetupRecordingStage>("c", log, sleep)};
}

TEST(ExecuteSetupOnNode, RunsOncePerStageAndNodeConcurrently) {
  ClusterScope scope(cluster_of({{"head", 4, 0, true}, {"n1", 4, 0, false}, {"n2", 4, 0, false}}));
  auto log = std::make_shared<SetupRecordingStage::Log>();
  const auto start = std::chrono::steady_clock::now();
  execute_setup_on_node(three_stages(log, std::chrono::milliseconds(300)));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(750));
  EXPECT_EQ(log->calls.size(), 9u);
  for (const std::string node : {"head", "n1", "n2"}) EXPECT_EQ(log->calls.count(node), 3u);
  for (const auto& worker_id : log->worker_ids) EXPECT_EQ(worker_id, "");
  EXPECT_STREQ(std::getenv("VLLM_WORKER_MULTIPROC_METHOD"), "spawn");
}

TEST(ExecuteSetupOnNode, SkipsTheHeadNodeWhenAskedAndLogsPerNode) {
  ClusterScope scope(cluster_of({{"head", 4, 0, true}, {"n1", 4, 0, false}}));
  auto log = std::make_shared<SetupRecordingStage::Log>();
  LogCapture capture;
  execute_setup_on_node(three_stages(log, std::chrono::milliseconds(0)), true);
  EXPECT_EQ(log->calls.size(), 3u);
  EXPECT_EQ(log->calls.count("head"), 0u);
  EXPECT_EQ(capture.text(), "info|Executing setup on node n1 for 3 stages\n");
}

TEST(ExecuteSetupOnNode, FailureNamesStageAndNodeAndAwaitsTheRest) {
  ClusterScope scope(cluster_of({{"head", 4, 0, true}, {"n1", 4, 0, false}}));
  auto log = std::make_shared<SetupRecordingStage::Log>();
  try {
    execute_setup_on_node(three_stages(log, std::chrono::milliseconds(20), "n1"));
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "setup_on_node failed for stage 'a' on node 'n1': disk full");
  }
  EXPECT_EQ(log->calls.size(), 6u);
}

TEST(WorkerMetadata, ComesFromTheWorkerScopeOrNamesTheDriver) {
  ClusterScope scope(cluster_of({{"head", 4, 0, true}}));
  auto [node, worker] = get_worker_metadata_and_node_id();
  EXPECT_EQ(node.node_id, "head");
  EXPECT_EQ(worker.worker_id, "driver");
  std::thread([] {
    WorkerIdentityScope identity(NodeInfo{"n7"},
                                 WorkerMetadata{"minhash-3", WorkerAllocation{1, 1, {0}}, nullptr});
    auto [inner_node, inner_worker] = get_worker_metadata_and_node_id();
    EXPECT_EQ(inner_node.node_id, "n7");
    EXPECT_EQ(inner_worker.worker_id, "minhash-3");
    EXPECT_EQ(inner_worker.allocation->gpu_indices, std::vector<int>{0});
  }).join();
}

// A cluster whose nodes are other programs, as the Ray adapter is: it takes only the
// descriptions of work (never runs a function of this process) and answers per node.
class DescribedWorkCluster : public Cluster {
 public:
  struct Call {
    std::string node_id;
    std::string name;
    json description;
    double cpus;
    double gpus;
  };
  std::vector<NodeResources> nodes() const override {
    return {{"head", 4, 0, true}, {"n1", 4, 1, false}, {"n2", 4, 1, false}};
  }
  std::string current_node_id() const override { return "head"; }
  std::vector<std::exception_ptr> run_on_each_node(
      const std::vector<std::string>&, const std::function<void(const NodeInfo&)>&) override {
    throw std::logic_error("functions cannot cross to this cluster's nodes");
  }
  std::vector<std::exception_ptr> run_work_on_each_node(
      const std::vector<std::string>& node_ids, const std::vector<NodeWork>& works) override {
    std::vector<std::exception_ptr> errors(node_ids.size());
    for (std::size_t i = 0; i < node_ids.size(); ++i) {
      for (const NodeWork& work : works) {
        calls.push_back({node_ids[i], work.name, work.description, work.cpus, work.gpus});
        if (node_ids[i] == fail_on && work.name == "stage 'b'") {
          errors[i] = std::make_exception_ptr(
              std::runtime_error(fmt::format("{} on node '{}': no space", work.name, node_ids[i])));
        }
      }
    }
    return errors;
  }
  std::optional<std::pair<NodeInfo, WorkerMetadata>> current_worker() const override {
    if (!inside_worker) return std::nullopt;
    return std::make_pair(NodeInfo{"n2"},
                          WorkerMetadata{"ray-worker-9", WorkerAllocation{1, 0, {}}, nullptr});
  }
  std::vector<Call> calls;
  std::string fail_on;
  bool inside_worker = false;
};

TEST(ExecuteSetupOnNode, GivesEveryNodeTheDescriptionsAndResourcesOfEveryStage) {
  auto cluster = std::make_shared<DescribedWorkCluster>();
  ClusterScope scope(cluster);
  auto log = std::make_shared<SetupRecordingStage::Log>();
  auto stages = three_stages(log, std::chrono::milliseconds(0));
  stages[1] = std::make_shared<SetupRecordingStage>("b", log);
  std::vector<json> descriptions;
  for (int i = 0; i < 3; ++i) descriptions.push_back({{"document", "{}"}, {"index", i}});
  execute_setup_on_node(stages, true, descriptions);
  EXPECT_TRUE(log->calls.empty()) << "nothing runs in this process";
  ASSERT_EQ(cluster->calls.size(), 6u);  // 3 stages x 2 nodes (the head skipped)
  std::multimap<std::string, std::string> pairs;
  for (const auto& call : cluster->calls) {
    pairs.emplace(call.node_id, call.name);
    EXPECT_EQ(call.cpus, 1.0);
    EXPECT_EQ(call.gpus, 0.0);
    const int index = call.description.at("index").get<int>();
    EXPECT_EQ(call.name,
              fmt::format("stage '{}'", stages[static_cast<std::size_t>(index)]->name()));
  }
  EXPECT_EQ(pairs.count("n1"), 3u);
  EXPECT_EQ(pairs.count("n2"), 3u);
  EXPECT_EQ(pairs.count("head"), 0u);
}

// A stage that keeps the default (empty) node setup, and one that inherits its node
// setup from a base class between it and ProcessingStage.
class NoNodeSetupStage : public CloneableStage<NoNodeSetupStage> {
 public:
  NoNodeSetupStage() : CloneableStage("no_node_setup") {}
  std::vector<TaskPtr> process(TaskPtr task) override { return {task}; }
};

class WarmsNodes : public ProcessingStage {
 public:
  using ProcessingStage::ProcessingStage;
  void setup_on_node(const NodeInfo&, const WorkerMetadata&) override {}
};

class InheritsNodeSetupStage : public CloneableStage<InheritsNodeSetupStage, WarmsNodes> {
 public:
  InheritsNodeSetupStage() : CloneableStage("inherits") {}
  std::vector<TaskPtr> process(TaskPtr task) override { return {task}; }
};

TEST(ExecuteSetupOnNode, StagesSayWhetherTheyHaveANodeSetup) {
  EXPECT_FALSE(NoNodeSetupStage().sets_up_nodes());
  EXPECT_TRUE(InheritsNodeSetupStage().sets_up_nodes());
  auto log = std::make_shared<SetupRecordingStage::Log>();
  EXPECT_TRUE(SetupRecordingStage("a", log).sets_up_nodes());
  StageOverrides renamed;
  renamed.name = "renamed";
  EXPECT_FALSE(NoNodeSetupStage().with_(renamed)->sets_up_nodes());
}

TEST(ExecuteSetupOnNode, LeavesOutStagesWhoseNodeSetupIsTheDefault) {
  auto cluster = std::make_shared<DescribedWorkCluster>();
  ClusterScope scope(cluster);
  auto log = std::make_shared<SetupRecordingStage::Log>();
  const std::vector<StagePtr> stages = {std::make_shared<NoNodeSetupStage>(),
                                        std::make_shared<SetupRecordingStage>("b", log),
                                        std::make_shared<InheritsNodeSetupStage>()};
  std::vector<json> descriptions;
  for (int i = 0; i < 3; ++i) descriptions.push_back({{"index", i}});
  LogCapture capture;
  execute_setup_on_node(stages, true, descriptions);
  ASSERT_EQ(cluster->calls.size(), 4u);  // b and inherits, on n1 and n2
  for (const auto& call : cluster->calls) {
    const int index = call.description.at("index").get<int>();
    EXPECT_NE(index, 0);
    EXPECT_EQ(call.name,
              fmt::format("stage '{}'", stages[static_cast<std::size_t>(index)]->name()));
  }
  EXPECT_EQ(capture.text(),
            "info|Executing setup on node n1 for 2 stages\n"
            "info|Executing setup on node n2 for 2 stages\n");

  // Nothing to set up: no work reaches the cluster, and nothing is logged.
  cluster->calls.clear();
  LogCapture quiet;
  execute_setup_on_node({std::make_shared<NoNodeSetupStage>()}, false, {json::object()});
  EXPECT_TRUE(cluster->calls.empty());
  EXPECT_EQ(quiet.text(), "");
}

TEST(ExecuteSetupOnNode, ReportsTheFailuresANodeOfAnotherProgramSendsBack) {
  auto cluster = std::make_shared<DescribedWorkCluster>();
  cluster->fail_on = "n2";
  ClusterScope scope(cluster);
  auto log = std::make_shared<SetupRecordingStage::Log>();
  try {
    execute_setup_on_node(three_stages(log, std::chrono::milliseconds(0)));
    FAIL();
  } catch (const std::runtime_error& error) {
    EXPECT_STREQ(error.what(), "setup_on_node failed for stage 'b' on node 'n2': no space");
  }
  EXPECT_EQ(cluster->calls.size(), 9u);
  EXPECT_THROW(execute_setup_on_node(three_stages(log, std::chrono::milliseconds(0)), false,
                                     {json::object()}),
               std::invalid_argument);
}

TEST(RunWorkOnEachNode, TheDefaultRefusesWorkThatIsOnlyDescribed) {
  StaticCluster cluster({{"head", 1, 0, true}});
  NodeWork work;
  work.name = "stage 'x'";
  work.description = {{"document", "{}"}, {"index", 0}};
  try {
    cluster.run_work_on_each_node({"head"}, {work});
    FAIL();
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(std::string(error.what()), ::testing::HasSubstr("stage 'x' is only described"));
  }
}

TEST(WorkerMetadata, ComesFromTheClusterRuntimeInsideItsWorkers) {
  auto cluster = std::make_shared<DescribedWorkCluster>();
  ClusterScope scope(cluster);
  EXPECT_EQ(get_worker_metadata_and_node_id().second.worker_id, "driver");
  cluster->inside_worker = true;
  auto [node, worker] = get_worker_metadata_and_node_id();
  EXPECT_EQ(node.node_id, "n2");
  EXPECT_EQ(worker.worker_id, "ray-worker-9");
  EXPECT_EQ(worker.allocation->cpus, 1.0);
  // An executor's own worker identity wins: its threads know best.
  std::thread([] {
    WorkerIdentityScope identity(NodeInfo{"n7"}, WorkerMetadata{"w-1", std::nullopt, nullptr});
    EXPECT_EQ(get_worker_metadata_and_node_id().second.worker_id, "w-1");
  }).join();
}

TEST(ClusterScope, RestoresThePreviousCluster) {
  auto outer = cluster_of({{"outer", 1, 0, true}});
  {
    ClusterScope first(outer);
    {
      ClusterScope second(cluster_of({{"inner", 1, 0, true}}));
      EXPECT_EQ(current_cluster()->current_node_id(), "inner");
    }
    EXPECT_EQ(current_cluster()->current_node_id(), "outer");
  }
  EXPECT_NE(current_cluster()->current_node_id(), "outer");
}

}  // namespace
}  // namespace curate::backends
