#include "curate/backends/cluster.hpp"
#include "curate/backends/utils.hpp"
#include "curate/cli/pipeline_builder.hpp"
#include "curate/python/bindings.hpp"
#include "curate/python/python_cluster.hpp"
#include "curate/python/python_log_sink.hpp"
#include "curate/python/stage_factory.hpp"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
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

// Build a pipeline document as Pipeline.run does (composites expanded, stages checked).
std::vector<StagePtr> build_stages(const std::string& document, nb::list python_stages) {
  const cli::PipelineConfig config = parse_document(document);
  const StageRegistry registry = make_registry(python_stages);
  return cli::build_pipeline(config, registry).build();
}

// Rebuild the stage a NodeWork description names, in this process: {"document", "index"}
// is stage `index` of the built document, {"document", "entry"} its entry `entry` alone,
// {"shipped": i} the stage object python_stages[i] that travelled itself.
StagePtr described_stage(const std::string& description, nb::list python_stages) {
  const json parsed = json::parse(description);
  if (parsed.contains("shipped")) {
    // The stage object itself travelled (a NativeStage pickles as its own description).
    return nb::cast<StagePtr>(python_stages[parsed.at("shipped").get<std::size_t>()]);
  }
  const std::string document = parsed.at("document").get<std::string>();
  if (parsed.contains("index")) {
    return build_stages(document, python_stages).at(parsed.at("index").get<std::size_t>());
  }
  return make_stages(document, python_stages).at(parsed.at("entry").get<std::size_t>());
}

std::vector<json> describe_each(const std::string& document, std::size_t first, std::size_t count,
                                const char* key) {
  std::vector<json> descriptions;
  for (std::size_t i = first; i < count; ++i) {
    descriptions.push_back({{"document", document}, {key, i}});
  }
  return descriptions;
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
        const auto descriptions = describe_each(document, 0, stages.size(), "entry");
        const PythonLogScope logs;
        nb::gil_scoped_release release;
        backends::execute_setup_on_node(stages, ignore_head_node, descriptions);
      },
      nb::arg("document"), nb::arg("python_stages"), nb::arg("ignore_head_node") = false);
  m.def(
      "execute_setup_on_built_stages",
      [](const std::string& document, nb::list python_stages, std::size_t first,
         bool ignore_head_node) {
        std::vector<StagePtr> built = build_stages(document, python_stages);
        if (first > built.size()) first = built.size();
        const auto descriptions = describe_each(document, first, built.size(), "index");
        const std::vector<StagePtr> stages(built.begin() + static_cast<std::ptrdiff_t>(first),
                                           built.end());
        const PythonLogScope logs;
        nb::gil_scoped_release release;
        backends::execute_setup_on_node(stages, ignore_head_node, descriptions);
      },
      nb::arg("document"), nb::arg("python_stages"), nb::arg("first") = 0,
      nb::arg("ignore_head_node") = false,
      "Run setup_on_node of the built document's stages from `first` on, on every node.");
  m.def(
      "execute_setup_on_shipped_stages",
      [](nb::list shipped, bool ignore_head_node) {
        std::vector<StagePtr> stages;
        std::vector<json> descriptions;
        for (std::size_t i = 0; i < shipped.size(); ++i) {
          stages.push_back(nb::cast<StagePtr>(shipped[i]));
          descriptions.push_back({{"shipped", i}});
        }
        const PythonLogScope logs;
        nb::gil_scoped_release release;
        backends::execute_setup_on_node(stages, ignore_head_node, descriptions);
      },
      nb::arg("stages"), nb::arg("ignore_head_node") = false,
      "Run setup_on_node of built stages (NativeStage, shipped to the nodes by pickling) on "
      "every node.");
  m.def("described_stage", &described_stage, nb::arg("description"), nb::arg("python_stages"),
        "Rebuild the stage a node-work description names (on the node that runs it).");
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
  bind_python_cluster(m);
}

}  // namespace curate::python
