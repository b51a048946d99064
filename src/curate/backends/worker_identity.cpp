#include "curate/backends/worker_identity.hpp"

namespace curate::backends {
namespace {
thread_local std::optional<std::pair<NodeInfo, WorkerMetadata>> t_identity;
}  // namespace

WorkerIdentityScope::WorkerIdentityScope(NodeInfo node, WorkerMetadata worker)
    : previous_(std::move(t_identity)) {
  t_identity = std::make_pair(std::move(node), std::move(worker));
}

WorkerIdentityScope::~WorkerIdentityScope() { t_identity = std::move(previous_); }

std::optional<std::pair<NodeInfo, WorkerMetadata>> current_worker_identity() { return t_identity; }

}  // namespace curate::backends
