#include "curate/backends/utils.hpp"

#include "curate/backends/logging.hpp"
#include "curate/backends/worker_identity.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace curate::backends {
namespace {

void merge_into(nlohmann::json& target, const nlohmann::json& source) {
  for (const auto& [key, value] : source.items()) {
    auto it = target.find(key);
    if (it != target.end() && it->is_object() && value.is_object()) {
      merge_into(*it, value);
    } else {
      target[key] = value;
    }
  }
}

const nlohmann::json* env_vars_of(const nlohmann::json& config) {
  if (!config.is_object()) return nullptr;
  auto runtime_env = config.find("runtime_env");
  if (runtime_env == config.end() || !runtime_env->is_object()) return nullptr;
  auto env_vars = runtime_env->find("env_vars");
  if (env_vars == runtime_env->end() || !env_vars->is_object()) return nullptr;
  return &*env_vars;
}

// Ensures the connection opened for one call is closed again, even when the call throws.
class TemporaryConnection {
 public:
  TemporaryConnection(Cluster& cluster, bool wanted) : cluster_(cluster) {
    if (wanted && !cluster_.is_connected()) {
      cluster_.connect();
      opened_ = true;
    }
  }
  ~TemporaryConnection() {
    if (opened_) cluster_.disconnect();
  }
  TemporaryConnection(const TemporaryConnection&) = delete;
  TemporaryConnection& operator=(const TemporaryConnection&) = delete;

 private:
  Cluster& cluster_;
  bool opened_ = false;
};

}  // namespace

nlohmann::json merge_executor_configs(const nlohmann::json& base,
                                      const nlohmann::json& override_config) {
  if (base.is_null() && override_config.is_null()) return nlohmann::json::object();
  if (base.is_null()) return override_config;
  if (override_config.is_null()) return base;
  if (!base.is_object() || !override_config.is_object()) return override_config;
  nlohmann::json merged = base;
  merge_into(merged, override_config);
  return merged;
}

void warn_on_env_var_override(const nlohmann::json& existing, const nlohmann::json& merged) {
  try {
    const nlohmann::json* before = env_vars_of(existing);
    const nlohmann::json* after = env_vars_of(merged);
    if (before == nullptr || after == nullptr) return;
    std::vector<std::string> changed;
    for (const auto& [key, value] : before->items()) {
      auto it = after->find(key);
      if (it != after->end() && *it != value) changed.push_back(key);
    }
    if (changed.empty()) return;
    std::sort(changed.begin(), changed.end());
    spdlog::warn("Stage ray_remote_args override executor env vars: {}", fmt::join(changed, ", "));
  } catch (...) {
    // A warning helper must never take a run down.
  }
}

std::pair<double, double> get_available_cpu_gpu_resources(bool init_and_shutdown,
                                                          bool ignore_head_node) {
  const std::shared_ptr<Cluster> cluster = current_cluster();
  TemporaryConnection connection(*cluster, init_and_shutdown);
  double cpus = 0.0;
  double gpus = 0.0;
  const NodeResources* head = nullptr;
  const auto nodes = cluster->nodes();
  for (const auto& node : nodes) {
    cpus += node.cpus;
    gpus += node.gpus;
    if (node.is_head && head == nullptr) head = &node;
  }
  if (ignore_head_node) {
    if (head == nullptr) {
      spdlog::warn("ignore_head_node=True but no head node found in the cluster");
    } else {
      cpus = std::max(0.0, cpus - head->cpus);
      gpus = std::max(0.0, gpus - head->gpus);
    }
  }
  return {cpus, gpus};
}

void check_total_gpu_capacity(int gpus_needed, bool ignore_head_node) {
  const auto [cpus, gpus] = get_available_cpu_gpu_resources(false, ignore_head_node);
  (void)cpus;
  const auto available = static_cast<long long>(std::floor(gpus));
  if (gpus_needed > available) {
    throw std::runtime_error(
        fmt::format("Need {} GPUs but cluster has {} available.", gpus_needed, available));
  }
}

void execute_setup_on_node(const std::vector<std::shared_ptr<curate::ProcessingStage>>& stages,
                           bool ignore_head_node, const std::vector<nlohmann::json>& descriptions) {
  if (!descriptions.empty() && descriptions.size() != stages.size()) {
    throw std::invalid_argument(fmt::format("execute_setup_on_node: {} descriptions for {} stages",
                                            descriptions.size(), stages.size()));
  }
  // A stage whose node setup is the default does nothing there: no work for it.
  std::vector<std::size_t> setting_up;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    if (stages[i]->sets_up_nodes()) setting_up.push_back(i);
  }
  if (setting_up.empty()) return;
  const std::shared_ptr<Cluster> cluster = current_cluster();
  std::vector<std::string> node_ids;
  for (const auto& node : cluster->nodes()) {
    if (!(ignore_head_node && node.is_head)) node_ids.push_back(node.node_id);
  }
  if (node_ids.empty()) return;
  // vLLM workers forked by a stage cannot re-initialise CUDA; NeMo Curator sets this
  // in its setup task, and so do we (only when the user has not chosen).
  setenv("VLLM_WORKER_MULTIPROC_METHOD", "spawn", /*overwrite=*/0);
  for (const auto& node_id : node_ids) {
    spdlog::info("Executing setup on node {} for {} stages", node_id, setting_up.size());
  }

  std::vector<NodeWork> works;
  works.reserve(setting_up.size());
  for (const std::size_t i : setting_up) {
    const std::shared_ptr<curate::ProcessingStage>& stage = stages[i];
    NodeWork work;
    work.name = fmt::format("stage '{}'", stage->name());
    if (!descriptions.empty()) work.description = descriptions[i];
    work.cpus = stage->resources().cpus;
    work.gpus = stage->resources().gpus;
    work.run_here = [stage](const NodeInfo& node) {
      stage->setup_on_node(node, WorkerMetadata{"", std::nullopt, nullptr});
    };
    works.push_back(std::move(work));
  }
  const auto node_errors = cluster->run_work_on_each_node(node_ids, works);
  std::vector<std::string> failures;
  for (const auto& error : node_errors) {
    if (error) failures.push_back(describe_error(error));
  }
  if (!failures.empty()) {
    std::sort(failures.begin(), failures.end());
    throw std::runtime_error(fmt::format("setup_on_node failed for {}", fmt::join(failures, "; ")));
  }
}

std::pair<NodeInfo, WorkerMetadata> get_worker_metadata_and_node_id() {
  if (auto identity = current_worker_identity()) return *identity;
  const std::shared_ptr<Cluster> cluster = current_cluster();
  if (auto worker = cluster->current_worker()) return *worker;
  return {NodeInfo{cluster->current_node_id()}, WorkerMetadata{"driver", std::nullopt, nullptr}};
}

void register_logger_serializer() {
  LoggingConfig config = worker_logging_config();
  config.level = spdlog::default_logger()->level();
  capture_logging_config(config);
}

}  // namespace curate::backends
