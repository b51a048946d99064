#include "curate/python/python_cluster.hpp"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <fmt/format.h>

#include <stdexcept>
#include <tuple>

namespace nb = nanobind;

namespace curate::python {
namespace {

// A Python exception raised by the adapter becomes a C++ one with its message, so the
// seed API reports it like any other cluster's failure.
template <typename Function>
auto call_python(const char* what, Function&& function) {
  nb::gil_scoped_acquire gil;
  try {
    return function();
  } catch (const nb::python_error& error) {
    throw std::runtime_error(
        fmt::format("the Ray cluster adapter failed in {}: {}", what, error.what()));
  }
}

/// A PythonCluster made current until `close` (or until the object is collected).
class ClusterAdapterScope {
 public:
  explicit ClusterAdapterScope(nb::object adapter)
      : scope_(std::make_unique<backends::ClusterScope>(
            std::make_shared<PythonCluster>(std::move(adapter)))) {}
  void close() { scope_.reset(); }

 private:
  std::unique_ptr<backends::ClusterScope> scope_;
};

}  // namespace

PythonCluster::PythonCluster(nb::object adapter) : adapter_(std::move(adapter)) {}

PythonCluster::~PythonCluster() {
  // The last reference may go on a thread without the GIL (a worker releasing the scope).
  nb::gil_scoped_acquire gil;
  adapter_.reset();
}

std::vector<backends::NodeResources> PythonCluster::nodes() const {
  return call_python("nodes()", [&] {
    using Row = std::tuple<std::string, double, double, bool>;
    std::vector<backends::NodeResources> out;
    for (const Row& row : nb::cast<std::vector<Row>>(adapter_.attr("nodes")())) {
      const auto& [node_id, cpus, gpus, is_head] = row;
      out.push_back({node_id, cpus, gpus, is_head});
    }
    return out;
  });
}

std::string PythonCluster::current_node_id() const {
  return call_python("current_node_id()",
                     [&] { return nb::cast<std::string>(adapter_.attr("current_node_id")()); });
}

std::vector<std::exception_ptr> PythonCluster::run_on_each_node(
    const std::vector<std::string>&, const std::function<void(const NodeInfo&)>&) {
  throw std::invalid_argument(
      "the Ray cluster runs described work only (a stage's registry name and parameters), "
      "not a function of this process: use run_work_on_each_node");
}

std::vector<std::exception_ptr> PythonCluster::run_work_on_each_node(
    const std::vector<std::string>& node_ids, const std::vector<backends::NodeWork>& works) {
  using Work = std::tuple<std::string, std::string, double, double>;
  std::vector<Work> described;
  described.reserve(works.size());
  for (const backends::NodeWork& work : works) {
    described.emplace_back(work.name, work.description.dump(), work.cpus, work.gpus);
  }
  const auto outcomes = call_python("run_work_on_each_node()", [&] {
    return nb::cast<std::vector<std::optional<std::string>>>(
        adapter_.attr("run_work_on_each_node")(node_ids, described));
  });
  if (outcomes.size() != node_ids.size()) {
    throw std::runtime_error(fmt::format("the Ray cluster adapter answered for {} of {} nodes",
                                         outcomes.size(), node_ids.size()));
  }
  std::vector<std::exception_ptr> errors(node_ids.size());
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i]) errors[i] = std::make_exception_ptr(std::runtime_error(*outcomes[i]));
  }
  return errors;
}

std::optional<std::pair<NodeInfo, WorkerMetadata>> PythonCluster::current_worker() const {
  return call_python("current_worker()",
                     [&]() -> std::optional<std::pair<NodeInfo, WorkerMetadata>> {
                       using Allocation = std::tuple<double, double, std::vector<int>>;
                       using Row = std::tuple<std::string, std::string, std::optional<Allocation>>;
                       const nb::object answer = adapter_.attr("current_worker")();
                       if (answer.is_none()) return std::nullopt;
                       const auto [node_id, worker_id, allocation] = nb::cast<Row>(answer);
                       WorkerMetadata worker;
                       worker.worker_id = worker_id;
                       if (allocation) {
                         const auto& [cpus, gpus, gpu_indices] = *allocation;
                         worker.allocation = WorkerAllocation{cpus, gpus, gpu_indices};
                       }
                       return std::make_pair(NodeInfo{node_id}, std::move(worker));
                     });
}

bool PythonCluster::is_connected() const {
  return call_python("is_connected()",
                     [&] { return nb::cast<bool>(adapter_.attr("is_connected")()); });
}

void PythonCluster::connect() {
  call_python("connect()", [&] { adapter_.attr("connect")(); });
}

void PythonCluster::disconnect() {
  call_python("disconnect()", [&] { adapter_.attr("disconnect")(); });
}

void bind_python_cluster(nb::module_& m) {
  nb::class_<ClusterAdapterScope>(
      m, "ClusterAdapterScope",
      "Make a cluster adapter (curate.backends.ray._cluster) the current cluster until close().")
      .def(nb::init<nb::object>(), nb::arg("adapter"))
      .def("close", &ClusterAdapterScope::close);
}

}  // namespace curate::python
