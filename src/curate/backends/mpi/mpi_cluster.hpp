#pragma once

#include "curate/backends/cluster.hpp"

#include <mpi.h>

#include <mutex>
#include <string>
#include <vector>

namespace curate::backends::mpi {

/// The ranks of an MPI job as a Cluster. Nodes are the groups of ranks that share
/// memory (`MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)`) and a node name; the name is the
/// launcher's where it gives one (`CURATE_NODE_NAME`, set by tests/backends/mpi/
/// fake_rsh.sh for made-up hosts; then `SLURMD_NODENAME`), else MPI_Get_processor_name.
/// Node i is the i-th distinct node in rank order, so rank 0's node (the head node, where
/// the driver runs) comes first. Every rank measures the CPUs it may use (affinity mask,
/// cgroup quota) and each node's leader (its lowest rank) the GPUs (NVML,
/// CUDA_VISIBLE_DEVICES); the figures are gathered to every rank (MPI_Allgather). A
/// node's CPUs are the sum over its ranks' distinct affinity masks, so ranks bound to
/// cores and unbound ranks both count each CPU once.
///
/// `nodes`, `current_node_id` and the rank queries read data fixed at construction and
/// may be called from any thread. `run_on_each_node`, `barrier` and `all_to_all` are
/// collective: every rank calls them, in the same order (they are serialised by a lock,
/// so one rank's concurrent calls cannot interleave).
class MpiCluster final : public Cluster {
 public:
  /// Discover the nodes of `world` (collective over it; MPI is initialised). The cluster
  /// works on its own duplicate of `world`, so its messages never meet anyone else's.
  explicit MpiCluster(MPI_Comm world);
  ~MpiCluster() override;
  MpiCluster(const MpiCluster&) = delete;
  MpiCluster& operator=(const MpiCluster&) = delete;

  std::vector<NodeResources> nodes() const override { return nodes_; }
  std::string current_node_id() const override { return nodes_[node_index()].node_id; }

  /// Run `work(node)` on the leader rank of each node in `node_ids`, all nodes at once,
  /// and return, on every rank, null or the error per node (the message of a remote
  /// error, rethrown as std::runtime_error). Collective.
  std::vector<std::exception_ptr> run_on_each_node(
      const std::vector<std::string>& node_ids,
      const std::function<void(const NodeInfo&)>& work) override;

  /// Block until every rank arrived. Collective.
  void barrier();
  /// Send `outgoing[r]` to rank r (one entry per rank) and return what each rank sent to
  /// this one, indexed by sender. Collective; messages are split below 2 GiB.
  std::vector<std::string> all_to_all(std::vector<std::string> outgoing);

  int rank() const { return rank_; }
  int size() const { return size_; }
  /// Return the index into `nodes()` of this rank's node.
  std::size_t node_index() const { return static_cast<std::size_t>(rank_node_[rank_]); }
  /// Return the node index of every rank, indexed by rank.
  const std::vector<int>& rank_nodes() const { return rank_node_; }
  /// Return this rank's position among its node's ranks, and their number.
  int local_rank() const { return local_rank_; }
  int local_size() const { return local_size_; }
  /// Return this rank's CPUs: its affinity mask's, shared with the node's ranks that have
  /// the same mask.
  double rank_cpus() const { return rank_cpus_; }
  /// Return true on each node's lowest rank.
  bool is_node_leader() const { return local_rank_ == 0; }
  /// Return the cluster's communicator (a duplicate of the world it was made from).
  MPI_Comm comm() const { return comm_; }

 private:
  MPI_Comm comm_ = MPI_COMM_NULL;
  MPI_Comm node_comm_ = MPI_COMM_NULL;
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
  int local_size_ = 1;
  std::vector<int> rank_node_;
  std::vector<NodeResources> nodes_;
  double rank_cpus_ = 1.0;
  std::mutex collective_mutex_;
};

/// Return this rank's node name as MpiCluster names it (the launcher's, else MPI's).
std::string mpi_node_name();

}  // namespace curate::backends::mpi
