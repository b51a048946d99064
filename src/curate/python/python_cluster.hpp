#pragma once

#include "curate/backends/cluster.hpp"

#include <nanobind/nanobind.h>

#include <memory>

namespace curate::python {

/// A Cluster whose nodes and per-node work come from a Python object: the adapter that
/// `curate.backends.ray._cluster.RayClusterAdapter` implements over Ray. The seed API
/// (backends/utils) is written once against Cluster; this class only moves its calls to
/// Python and back. Work crosses to the nodes as descriptions only (run_on_each_node with
/// a function of this process is refused). Every method takes the GIL for the call, so
/// it may be called from any thread, also with the GIL released.
///
/// The adapter provides: `nodes() -> list[(node_id, cpus, gpus, is_head)]`,
/// `current_node_id() -> str`, `current_worker() -> None | (node_id, worker_id,
/// allocation | None)` with allocation `(cpus, gpus, gpu_indices)`,
/// `run_work_on_each_node(node_ids, works) -> list[None | str]` with works
/// `[(name, description_json, cpus, gpus)]` (per node: None, or the message naming the
/// failed works and the node), `is_connected()`, `connect()`, `disconnect()`.
class PythonCluster final : public backends::Cluster {
 public:
  /// Wrap `adapter`; called with the GIL held.
  explicit PythonCluster(nanobind::object adapter);
  ~PythonCluster() override;

  std::vector<backends::NodeResources> nodes() const override;
  std::string current_node_id() const override;
  std::vector<std::exception_ptr> run_on_each_node(
      const std::vector<std::string>& node_ids,
      const std::function<void(const NodeInfo&)>& work) override;
  std::vector<std::exception_ptr> run_work_on_each_node(
      const std::vector<std::string>& node_ids,
      const std::vector<backends::NodeWork>& works) override;
  std::optional<std::pair<NodeInfo, WorkerMetadata>> current_worker() const override;
  bool is_connected() const override;
  void connect() override;
  void disconnect() override;

 private:
  nanobind::object adapter_;
};

/// Bind PythonCluster's scope (`ClusterAdapterScope(adapter)`, `.close()`) into `m`.
void bind_python_cluster(nanobind::module_& m);

}  // namespace curate::python
