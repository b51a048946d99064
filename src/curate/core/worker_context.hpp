#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace curate {

/// Identify one node of the cluster (a host; one per node leader under MPI).
struct NodeInfo {
  std::string node_id;
  bool operator==(const NodeInfo&) const = default;
};

/// Describe what an executor granted one worker instance.
struct WorkerAllocation {
  double cpus = 0.0;
  double gpus = 0.0;
  std::vector<int> gpu_indices;  ///< indices into the node's visible GPUs
  bool operator==(const WorkerAllocation&) const = default;
};

class Gang;

/// Identify the worker that runs a stage instance. `worker_id` is empty for node-level
/// setup (`setup_on_node`), as in the contract. `gang` is set for raft-actor stages only.
struct WorkerMetadata {
  std::string worker_id;
  std::optional<WorkerAllocation> allocation;
  std::shared_ptr<Gang> gang;
};

}  // namespace curate
