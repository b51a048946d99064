#include "curate/backends/mpi/mpi_cluster.hpp"

#include "curate/backends/logging.hpp"
#include "curate/backends/mpi/mpi_bytes.hpp"
#include "curate/backends/mpi/mpi_wait.hpp"
#include "curate/backends/resource_discovery.hpp"

#include <fmt/format.h>

#include <sched.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace curate::backends::mpi {
namespace {

constexpr std::size_t kNameBytes = 256;

struct RankFigures {
  double cpus = 0.0;  // this rank's CPUs (its affinity mask, the cgroup quota)
  double gpus = 0.0;  // the node's GPUs, measured by its leader (0 elsewhere)
  double mask = 0.0;  // a hash of the affinity mask, to tell shared masks from disjoint
};

// A hash of the CPUs this process may run on: ranks that a launcher bound to cores have
// distinct masks, unbound ranks of one node all have the same.
double affinity_mask_hash() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return 0.0;
  std::uint64_t hash = 1469598103934665603ull;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set))
      hash = (hash ^ static_cast<std::uint64_t>(cpu + 1)) * 1099511628211ull;
  }
  return static_cast<double>(hash >> 12);  // exact in a double's 52-bit mantissa
}

}  // namespace

std::string mpi_node_name() {
  for (const char* variable : {"CURATE_NODE_NAME", "SLURMD_NODENAME"}) {
    const char* value = std::getenv(variable);
    if (value != nullptr && *value != '\0') return value;
  }
  char name[MPI_MAX_PROCESSOR_NAME];
  int length = 0;
  check_mpi(MPI_Get_processor_name(name, &length), "MPI_Get_processor_name");
  return std::string(name, static_cast<std::size_t>(length));
}

MpiCluster::MpiCluster(MPI_Comm world) {
  check_mpi(MPI_Comm_dup(world, &comm_), "MPI_Comm_dup");
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &size_);

  // Ranks that share memory and a name form a node; the name alone would merge two
  // machines a launcher named alike, shared memory alone would merge fake hosts.
  MPI_Comm shared = MPI_COMM_NULL;
  check_mpi(MPI_Comm_split_type(comm_, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &shared),
            "MPI_Comm_split_type");
  int shared_rank = 0;
  MPI_Comm_rank(shared, &shared_rank);
  int shared_leader = shared_rank == 0 ? rank_ : 0;
  MPI_Allreduce(MPI_IN_PLACE, &shared_leader, 1, MPI_INT, MPI_MAX, shared);
  MPI_Comm_free(&shared);

  std::string name = mpi_node_name();
  const std::string key = fmt::format("{}\x1f{}", shared_leader, name);
  std::vector<char> mine(kNameBytes, '\0');
  std::memcpy(mine.data(), key.data(), std::min(key.size(), kNameBytes - 1));
  std::vector<char> all(kNameBytes * static_cast<std::size_t>(size_));
  check_mpi(MPI_Allgather(mine.data(), static_cast<int>(kNameBytes), MPI_CHAR, all.data(),
                          static_cast<int>(kNameBytes), MPI_CHAR, comm_),
            "MPI_Allgather (node names)");
  std::vector<std::string> keys;
  std::vector<std::string> names;
  rank_node_.resize(static_cast<std::size_t>(size_));
  for (int r = 0; r < size_; ++r) {
    const std::string k(all.data() + static_cast<std::size_t>(r) * kNameBytes);
    auto found = std::find(keys.begin(), keys.end(), k);
    if (found == keys.end()) {
      keys.push_back(k);
      names.push_back(k.substr(k.find('\x1f') + 1));
      found = keys.end() - 1;
    }
    rank_node_[static_cast<std::size_t>(r)] = static_cast<int>(found - keys.begin());
  }
  check_mpi(MPI_Comm_split(comm_, rank_node_[static_cast<std::size_t>(rank_)], rank_, &node_comm_),
            "MPI_Comm_split (nodes)");
  MPI_Comm_rank(node_comm_, &local_rank_);
  MPI_Comm_size(node_comm_, &local_size_);

  // Every rank measures its own CPUs: under a launcher that binds ranks to cores (Open
  // MPI does for 2 ranks or fewer) a rank sees only its own cores, so the node's CPUs are
  // the sum over the distinct masks of its ranks, and ranks sharing a mask share its CPUs.
  RankFigures figures;
  figures.cpus = detect_cpu_count();
  figures.mask = affinity_mask_hash();
  if (is_node_leader()) {
    figures.gpus = static_cast<double>(detect_local_machine_resources().gpus.size());
  }
  std::vector<RankFigures> per_rank(static_cast<std::size_t>(size_));
  check_mpi(MPI_Allgather(&figures, 3, MPI_DOUBLE, per_rank.data(), 3, MPI_DOUBLE, comm_),
            "MPI_Allgather (node resources)");
  nodes_.resize(names.size());
  for (std::size_t n = 0; n < names.size(); ++n) {
    nodes_[n].node_id = names[n];
    nodes_[n].is_head = n == 0;
  }
  // Names must be unique node ids: two machines that share a name get a suffix.
  for (std::size_t n = 1; n < nodes_.size(); ++n) {
    for (std::size_t m = 0; m < n; ++m) {
      if (nodes_[m].node_id == names[n]) nodes_[n].node_id = fmt::format("{}#{}", names[n], n);
    }
  }
  std::vector<bool> seen(nodes_.size(), false);
  int same_mask = 0;
  for (int r = 0; r < size_; ++r) {
    const auto& theirs = per_rank[static_cast<std::size_t>(r)];
    const auto n = static_cast<std::size_t>(rank_node_[static_cast<std::size_t>(r)]);
    if (!seen[n]) {  // the node's first rank in rank order is its leader
      seen[n] = true;
      nodes_[n].gpus = theirs.gpus;
    }
    bool first_of_mask = true;
    for (int q = 0; q < r; ++q) {
      if (rank_node_[static_cast<std::size_t>(q)] == rank_node_[static_cast<std::size_t>(r)] &&
          per_rank[static_cast<std::size_t>(q)].mask == theirs.mask) {
        first_of_mask = false;
      }
    }
    if (first_of_mask) nodes_[n].cpus += theirs.cpus;
    if (rank_node_[static_cast<std::size_t>(r)] == rank_node_[static_cast<std::size_t>(rank_)] &&
        theirs.mask == figures.mask) {
      ++same_mask;
    }
  }
  rank_cpus_ = figures.cpus / std::max(same_mask, 1);
}

MpiCluster::~MpiCluster() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized != 0) return;
  if (node_comm_ != MPI_COMM_NULL) MPI_Comm_free(&node_comm_);
  if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

std::vector<std::exception_ptr> MpiCluster::run_on_each_node(
    const std::vector<std::string>& node_ids, const std::function<void(const NodeInfo&)>& work) {
  std::lock_guard lock(collective_mutex_);
  std::string failure;
  const std::string& here = nodes_[node_index()].node_id;
  const bool mine =
      is_node_leader() && std::find(node_ids.begin(), node_ids.end(), here) != node_ids.end();
  if (mine) {
    try {
      work(NodeInfo{here});
    } catch (...) {
      failure = describe_error(std::current_exception());
      if (failure.empty()) failure = "unknown error";
    }
  }
  // Every rank learns every node's outcome; a leader that succeeded sends "".
  const std::vector<std::string> outcomes = all_gather_bytes(comm_, failure, nullptr);
  std::vector<std::exception_ptr> errors(node_ids.size());
  for (int r = 0; r < size_; ++r) {
    const std::string& outcome = outcomes[static_cast<std::size_t>(r)];
    if (outcome.empty()) continue;
    const auto& id =
        nodes_[static_cast<std::size_t>(rank_node_[static_cast<std::size_t>(r)])].node_id;
    for (std::size_t i = 0; i < node_ids.size(); ++i) {
      if (node_ids[i] == id) {
        errors[i] =
            std::make_exception_ptr(std::runtime_error(fmt::format("rank {}: {}", r, outcome)));
      }
    }
  }
  return errors;
}

void MpiCluster::barrier() {
  std::lock_guard lock(collective_mutex_);
  check_mpi(MPI_Barrier(comm_), "MPI_Barrier");
}

std::vector<std::string> MpiCluster::all_to_all(std::vector<std::string> outgoing) {
  std::lock_guard lock(collective_mutex_);
  if (outgoing.size() != static_cast<std::size_t>(size_)) {
    throw std::invalid_argument(
        fmt::format("MpiCluster::all_to_all: {} messages for {} ranks", outgoing.size(), size_));
  }
  return all_to_all_bytes(comm_, outgoing, nullptr);
}

}  // namespace curate::backends::mpi
