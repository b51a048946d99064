#pragma once

// The seed API of the backend contract (NeMo Curator's `nemo_curator.backends.utils`),
// acting on the current cluster (see cluster.hpp).

#include "curate/backends/base.hpp"
#include "curate/backends/cluster.hpp"
#include "curate/core/processing_stage.hpp"
#include "curate/core/stage_spec.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace curate::backends {

using curate::stage_spec_key_from_string;
using curate::StageSpecKey;
using curate::to_string;

/// Deep-merge `override_config` over `base`: objects merge key by key, recursively; any
/// other value of the override replaces the base's. A null side counts as absent (both
/// null: `{}`). Neither input is modified. Pure; callable from any thread.
nlohmann::json merge_executor_configs(const nlohmann::json& base,
                                      const nlohmann::json& override_config);

/// Log one warning naming (sorted) the `runtime_env.env_vars` keys whose values differ
/// between `existing` and `merged`; silent when either has no env vars. Never throws.
void warn_on_env_var_override(const nlohmann::json& existing, const nlohmann::json& merged);

/// Return the (CPUs, GPUs) totals of the current cluster's alive nodes, less the head
/// node's with `ignore_head_node` (floored at 0). With `init_and_shutdown`, connect the
/// cluster for the call when it is not connected, and disconnect after.
std::pair<double, double> get_available_cpu_gpu_resources(bool init_and_shutdown = false,
                                                          bool ignore_head_node = false);

/// Throw std::runtime_error "Need {n} GPUs but cluster has {m} available." when the
/// current cluster's GPUs, floored to an integer, are fewer than `gpus_needed`.
void check_total_gpu_capacity(int gpus_needed, bool ignore_head_node = false);

/// Call `setup_on_node(NodeInfo{node}, WorkerMetadata{"", none})` on every stage for every
/// alive node of the current cluster (skipping the head node when asked), all pairs at
/// once (Cluster::run_work_on_each_node), waiting for all; logs "Executing setup on node
/// {id} for {n} stages" once per node. Stages whose `sets_up_nodes()` is false (the
/// default, empty `setup_on_node`) are left out: nothing runs, nor is logged, for them. `descriptions` (one per stage, or empty) say how
/// another process rebuilds each stage, for clusters whose nodes are other programs (Ray);
/// each work asks the node for the stage's CPUs and GPUs. Throws std::runtime_error
/// naming every failed stage and node. Driver thread; collective under MPI.
void execute_setup_on_node(const std::vector<std::shared_ptr<curate::ProcessingStage>>& stages,
                           bool ignore_head_node = false,
                           const std::vector<nlohmann::json>& descriptions = {});

/// Return the calling worker's node and metadata: the executor's (set for its worker
/// threads), else the cluster runtime's (inside a Ray actor or task), else the current
/// node and worker id "driver".
std::pair<NodeInfo, WorkerMetadata> get_worker_metadata_and_node_id();

/// Capture the driver's logging configuration (level and pattern) so that every worker
/// binds its own logger with it, tagged with stage, worker and node: the analogue of
/// NeMo Curator's loguru serializer. Idempotent; executors call it before workers start.
void register_logger_serializer();

}  // namespace curate::backends
