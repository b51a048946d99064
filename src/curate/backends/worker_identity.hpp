#pragma once

#include "curate/core/worker_context.hpp"

#include <optional>
#include <utility>

namespace curate::backends {

/// Mark the calling thread as a worker (its node and metadata) for the scope's lifetime,
/// so `get_worker_metadata_and_node_id` can answer from inside a stage. Executors create
/// one when a worker thread starts; scopes nest per thread.
class WorkerIdentityScope {
 public:
  WorkerIdentityScope(NodeInfo node, WorkerMetadata worker);
  ~WorkerIdentityScope();
  WorkerIdentityScope(const WorkerIdentityScope&) = delete;
  WorkerIdentityScope& operator=(const WorkerIdentityScope&) = delete;

 private:
  std::optional<std::pair<NodeInfo, WorkerMetadata>> previous_;
};

/// Return the calling thread's worker identity, if an executor set one.
std::optional<std::pair<NodeInfo, WorkerMetadata>> current_worker_identity();

}  // namespace curate::backends
