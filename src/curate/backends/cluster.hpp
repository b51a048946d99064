#pragma once

#include "curate/core/worker_context.hpp"

#include <nlohmann/json.hpp>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
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

/// One piece of work to run on nodes, described so that it can cross processes: a
/// cluster whose nodes are other programs (Ray workers) rebuilds it from `description`;
/// one whose nodes run this program (threads, MPI ranks) calls `run_here`. Example: the
/// setup of one stage, described as {"document": pipeline document, "index": i}.
struct NodeWork {
  std::string name;            ///< what the work is, for errors: "stage 'reader'"
  nlohmann::json description;  ///< how another process rebuilds the work
  double cpus = 1.0;           ///< CPUs the work asks of the node
  double gpus = 0.0;           ///< GPUs the work asks of the node
  /// The same work as a function of this program; may be empty for clusters that only
  /// take descriptions. Called concurrently, once per node.
  std::function<void(const NodeInfo&)> run_here;
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

  /// Run every item of `works` on every node in `node_ids`, all (work, node) pairs at
  /// once, and wait for all of them. Returns one entry per node, in order: null when all
  /// its works succeeded, else an error whose message names each failed work and the
  /// node ("stage 'a' on node 'n1': disk full"). The default runs `run_here` of each
  /// work on a thread of its own inside `run_on_each_node`, so it is collective where
  /// that is; a cluster of other programs overrides it and uses the descriptions.
  virtual std::vector<std::exception_ptr> run_work_on_each_node(
      const std::vector<std::string>& node_ids, const std::vector<NodeWork>& works);

  /// Return the calling worker's node and metadata when the cluster runtime knows it
  /// (inside a Ray actor or task: its node, worker id and assigned resources); nullopt
  /// elsewhere (the default). Callable from any thread.
  virtual std::optional<std::pair<NodeInfo, WorkerMetadata>> current_worker() const {
    return std::nullopt;
  }

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
