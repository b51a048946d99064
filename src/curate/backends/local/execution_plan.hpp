#pragma once

#include "curate/core/processing_stage.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace curate::backends::local {

/// How a group of stages runs.
enum class SegmentKind {
  Stream,   ///< a pool of workers pulling batches (one stage, or fused task stages)
  Shuffle,  ///< route every input, barrier, reduce partitions (is_shuffle/is_lsh_stage)
  Gang,     ///< members started together with a Gang (is_raft_actor)
};

/// How one stage will run: its options and worker pool.
struct StagePlan {
  StagePtr stage;  ///< the prototype every instance is cloned from
  /// merge_executor_configs(executor config, stage ray_remote_args)
  nlohmann::json options;
  double cpus_per_worker = 1.0;
  double gpus_per_worker = 0.0;
  int workers = 1;
  std::optional<int> max_calls_per_worker;
};

/// Consecutive stages sharing one worker pool and one input queue.
struct SegmentPlan {
  SegmentKind kind = SegmentKind::Stream;
  std::vector<std::size_t> stages;  ///< indices into ExecutionPlan::stages, in order
  int workers = 1;
  std::size_t queue_capacity = 1;  ///< tasks the segment's input queue holds
};

/// Everything decided before a run starts: resources, pools, fusion, environment.
struct ExecutionPlan {
  double available_cpus = 0.0;
  double available_gpus = 0.0;
  std::vector<StagePlan> stages;
  std::vector<SegmentPlan> segments;
  /// runtime_env.env_vars of the executor config and every stage, set for the run
  std::map<std::string, std::string> env_vars;
  /// config `discard_outputs`: count the last stage's outputs instead of returning them
  bool discard_outputs = false;
};

/// Build the plan of a run: read and check the config, find the available CPUs and
/// GPUs (config `num_cpus`/`num_gpus`, else the current cluster, less the head node's
/// with `ignore_head_node`), size each stage's pool, check that every stage can run at
/// all, and fuse consecutive task stages. Throws std::invalid_argument for a malformed
/// config or stage, std::runtime_error for resources that can never be met; logs a
/// warning for each capped worker count. Called by LocalExecutor::execute on the
/// driver thread, once per run.
ExecutionPlan make_execution_plan(const std::vector<StagePtr>& stages, const nlohmann::json& config,
                                  bool ignore_head_node);

/// Return the allocation of worker `worker` of a stage: its CPUs and GPUs, and the
/// visible GPU indices it is given (packed: worker k of a stage wanting g GPUs takes
/// ceil(g) GPUs from index floor(k * g), modulo the GPU count). Pure.
WorkerAllocation worker_allocation(const StagePlan& stage, int worker, double available_gpus);

}  // namespace curate::backends::local
