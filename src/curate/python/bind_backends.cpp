#include "curate/backends/cluster.hpp"
#include "curate/backends/utils.hpp"
#include "curate/python/bindings.hpp"
#include "curate/python/python_log_sink.hpp"
#include "curate/python/stage_factory.hpp"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>
#include <nlohmann/json.hpp>

namespace nb = nanobind;
using nlohmann::json;

namespace curate::python {
namespace {

json parse(const std::string& text) { return json::parse(text); }

// Builds each stage of the document on its own (no pipeline checks: setup needs none).
std::vector<StagePtr> make_stages(const std::string& document, nb::list python_stages) {
  const cli::PipelineConfig config = parse_document(document);
  const StageRegistry registry = make_registry(python_stages);
  std::vector<StagePtr> stages;
  for (const cli::StageEntry& entry : config.stages) {
    stages.push_back(registry.create(entry.stage, entry.params));
  }
  return stages;
}

std::string worker_to_json(const WorkerMetadata& worker) {
  json out = {{"worker_id", worker.worker_id}, {"allocation", nullptr}};
  if (worker.allocation) {
    out["allocation"] = {{"cpus", worker.allocation->cpus},
                         {"gpus", worker.allocation->gpus},
                         {"gpu_indices", worker.allocation->gpu_indices}};
  }
  return out.dump();
}

/// A StaticCluster made current until `close` (tests and dry runs of the seed API).
class StaticClusterScope {
 public:
  explicit StaticClusterScope(
      const std::vector<std::tuple<std::string, double, double, bool>>& nodes) {
    std::vector<backends::NodeResources> resources;
    for (const auto& [node_id, cpus, gpus, is_head] : nodes) {
      resources.push_back({node_id, cpus, gpus, is_head});
    }
    scope_ = std::make_unique<backends::ClusterScope>(
        std::make_shared<backends::StaticCluster>(std::move(resources)));
  }
  void close() { scope_.reset(); }

 private:
  std::unique_ptr<backends::ClusterScope> scope_;
};

}  // namespace

void bind_backends(nb::module_& m) {
  m.def(
      "merge_executor_configs",
      [](const std::string& base, const std::string& override_config) {
        return backends::merge_executor_configs(parse(base), parse(override_config)).dump();
      },
      nb::arg("base_config"), nb::arg("override_config"));
  m.def(
      "warn_on_env_var_override",
      [](const std::string& existing, const std::string& merged) {
        const PythonLogScope logs;
        backends::warn_on_env_var_override(parse(existing), parse(merged));
      },
      nb::arg("existing_config"), nb::arg("merged_config"));
  m.def(
      "get_available_cpu_gpu_resources",
      [](bool init_and_shutdown, bool ignore_head_node) {
        const PythonLogScope logs;
        nb::gil_scoped_release release;
        return backends::get_available_cpu_gpu_resources(init_and_shutdown, ignore_head_node);
      },
      nb::arg("init_and_shutdown") = false, nb::arg("ignore_head_node") = false);
  m.def(
      "check_total_gpu_capacity",
      [](int gpus_needed, bool ignore_head_node) {
        nb::gil_scoped_release release;
        backends::check_total_gpu_capacity(gpus_needed, ignore_head_node);
      },
      nb::arg("gpus_needed"), nb::arg("ignore_head_node") = false);
  m.def(
      "execute_setup_on_node",
      [](const std::string& document, nb::list python_stages, bool ignore_head_node) {
        const std::vector<StagePtr> stages = make_stages(document, python_stages);
        const PythonLogScope logs;
        nb::gil_scoped_release release;
        backends::execute_setup_on_node(stages, ignore_head_node);
      },
      nb::arg("document"), nb::arg("python_stages"), nb::arg("ignore_head_node") = false);
  m.def("get_worker_metadata_and_node_id", [] {
    const auto [node, worker] = backends::get_worker_metadata_and_node_id();
    return std::make_pair(node.node_id, worker_to_json(worker));
  });
  m.def("register_logger_serializer", &backends::register_logger_serializer);

  nb::class_<StaticClusterScope>(m, "StaticClusterScope",
                                 "Make a cluster of declared nodes current until close().")
      .def(nb::init<const std::vector<std::tuple<std::string, double, double, bool>>&>(),
           nb::arg("nodes"))
      .def("close", &StaticClusterScope::close);
}

}  // namespace curate::python
