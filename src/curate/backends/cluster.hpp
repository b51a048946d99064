#pragma once

#include "curate/core/worker_context.hpp"

#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace curate::backends {

/// What one node of a cluster offers.
struct NodeResources {
  std::string node_id;
  double cpus = 0.0;
  double gpus = 0.0;
  bool is_head = false;
  bool operator==(const NodeResources&) const = default;
};

/// The machines a pipeline runs on, as the backend utilities see them: the alive nodes
/// with their resources, and a way to run work on every node. Implemented by
/// LocalCluster (this machine), StaticCluster (declared nodes, threads; tests and dry
/// runs) and the MPI cluster layer. Methods may be called from any thread.
class Cluster {
 public:
  virtual ~Cluster() = default;

  /// Return the alive nodes; the head node (the driver's) has `is_head` set.
  virtual std::vector<NodeResources> nodes() const = 0;
  /// Return the id of the node this process (the caller) runs on.
  virtual std::string current_node_id() const = 0;

  /// Run `work(node)` on every node in `node_ids` at once and wait for all of them.
  /// Returns one entry per node, in order: null on success, else the exception thrown.
  virtual std::vector<std::exception_ptr> run_on_each_node(
      const std::vector<std::string>& node_ids,
      const std::function<void(const NodeInfo&)>& work) = 0;

  /// Return true when the cluster runtime is connected (always, for in-process ones).
  virtual bool is_connected() const { return true; }
  /// Connect the runtime for a call made with `init_and_shutdown`; no-op by default.
  virtual void connect() {}
  /// Close a connection opened by `connect`; no-op by default.
  virtual void disconnect() {}
};

/// This machine as a one-node cluster that is its own head node, with the CPUs and GPUs
/// that resource discovery finds (affinity mask, cgroup quota, NVML).
class LocalCluster final : public Cluster {
 public:
  std::vector<NodeResources> nodes() const override;
  std::string current_node_id() const override;
  std::vector<std::exception_ptr> run_on_each_node(
      const std::vector<std::string>& node_ids,
      const std::function<void(const NodeInfo&)>& work) override;
};

/// A cluster of declared nodes that runs each node's work on its own thread of this
/// process. The first node marked `is_head` is the driver's node (none: no head).
class StaticCluster final : public Cluster {
 public:
  explicit StaticCluster(std::vector<NodeResources> nodes);
  std::vector<NodeResources> nodes() const override { return nodes_; }
  std::string current_node_id() const override;
  std::vector<std::exception_ptr> run_on_each_node(
      const std::vector<std::string>& node_ids,
      const std::function<void(const NodeInfo&)>& work) override;

 private:
  std::vector<NodeResources> nodes_;
};

/// Return the current cluster: the innermost live ClusterScope's, else the process-wide
/// LocalCluster. Thread-safe.
std::shared_ptr<Cluster> current_cluster();

/// Make `cluster` current for the lifetime of the scope (RAII); scopes nest and must be
/// destroyed in reverse order of creation. Applies to every thread of the process.
class ClusterScope {
 public:
  explicit ClusterScope(std::shared_ptr<Cluster> cluster);
  ~ClusterScope();
  ClusterScope(const ClusterScope&) = delete;
  ClusterScope& operator=(const ClusterScope&) = delete;

 private:
  std::shared_ptr<Cluster> previous_;
};

}  // namespace curate::backends
