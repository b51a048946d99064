#include "curate/backends/cluster.hpp"

#include "curate/backends/logging.hpp"
#include "curate/backends/resource_discovery.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <stdexcept>
#include <thread>

namespace curate::backends {
namespace {

std::mutex& scope_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::shared_ptr<Cluster>& scoped_cluster() {
  static std::shared_ptr<Cluster> cluster;
  return cluster;
}

// Run each node's work on a thread of its own and collect the outcome per node; the
// threads stand in for the nodes, so every node's work starts at once.
std::vector<std::exception_ptr> run_on_threads(const std::vector<std::string>& node_ids,
                                               const std::function<void(const NodeInfo&)>& work) {
  std::vector<std::exception_ptr> errors(node_ids.size());
  // Create spdlog's registry here, before the threads: its lazy creation inside libspdlog
  // (built without ThreadSanitizer) would otherwise race, as far as TSan can tell, with
  // the first log calls of the node threads.
  spdlog::default_logger_raw();
  std::vector<std::thread> threads;
  threads.reserve(node_ids.size());
  for (std::size_t i = 0; i < node_ids.size(); ++i) {
    threads.emplace_back([&, i] {
      try {
        work(NodeInfo{node_ids[i]});
      } catch (...) {
        errors[i] = std::current_exception();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  return errors;
}

}  // namespace

std::vector<std::exception_ptr> Cluster::run_work_on_each_node(
    const std::vector<std::string>& node_ids, const std::vector<NodeWork>& works) {
  for (const NodeWork& work : works) {
    if (!work.run_here) {
      throw std::invalid_argument(fmt::format(
          "{} is only described (no function of this program): this cluster cannot run it",
          work.name));
    }
  }
  return run_on_each_node(node_ids, [&works](const NodeInfo& node) {
    // Every work of the node starts at once: the wall time is the slowest work's.
    std::vector<std::exception_ptr> errors(works.size());
    std::vector<std::thread> threads;
    threads.reserve(works.size());
    for (std::size_t i = 0; i < works.size(); ++i) {
      threads.emplace_back([&, i] {
        try {
          works[i].run_here(node);
        } catch (...) {
          errors[i] = std::current_exception();
        }
      });
    }
    for (auto& thread : threads) thread.join();
    std::vector<std::string> failures;
    for (std::size_t i = 0; i < works.size(); ++i) {
      if (errors[i]) {
        failures.push_back(fmt::format("{} on node '{}': {}", works[i].name, node.node_id,
                                       describe_error(errors[i])));
      }
    }
    if (!failures.empty()) throw std::runtime_error(fmt::format("{}", fmt::join(failures, "; ")));
  });
}

std::vector<NodeResources> LocalCluster::nodes() const {
  const LocalMachineResources& machine = local_machine_resources();
  return {NodeResources{machine.hostname, machine.cpus, static_cast<double>(machine.gpus.size()),
                        true}};
}

std::string LocalCluster::current_node_id() const { return local_machine_resources().hostname; }

std::vector<std::exception_ptr> LocalCluster::run_on_each_node(
    const std::vector<std::string>& node_ids, const std::function<void(const NodeInfo&)>& work) {
  return run_on_threads(node_ids, work);
}

StaticCluster::StaticCluster(std::vector<NodeResources> nodes) : nodes_(std::move(nodes)) {}

std::string StaticCluster::current_node_id() const {
  for (const auto& node : nodes_) {
    if (node.is_head) return node.node_id;
  }
  return nodes_.empty() ? std::string() : nodes_.front().node_id;
}

std::vector<std::exception_ptr> StaticCluster::run_on_each_node(
    const std::vector<std::string>& node_ids, const std::function<void(const NodeInfo&)>& work) {
  return run_on_threads(node_ids, work);
}

std::shared_ptr<Cluster> current_cluster() {
  static const std::shared_ptr<Cluster> local = std::make_shared<LocalCluster>();
  std::lock_guard lock(scope_mutex());
  return scoped_cluster() ? scoped_cluster() : local;
}

ClusterScope::ClusterScope(std::shared_ptr<Cluster> cluster) {
  std::lock_guard lock(scope_mutex());
  previous_ = std::move(scoped_cluster());
  scoped_cluster() = std::move(cluster);
}

ClusterScope::~ClusterScope() {
  std::lock_guard lock(scope_mutex());
  scoped_cluster() = std::move(previous_);
}

}  // namespace curate::backends
