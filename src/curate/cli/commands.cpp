// The small commands: describe, resources, stages (run has a file of its own).

#include "curate/cli/commands.hpp"

#include "curate/backends/cluster.hpp"
#include "curate/backends/mpi/mpi_session.hpp"
#include "curate/backends/resource_discovery.hpp"
#include "curate/cli/config_error.hpp"
#include "curate/cli/config_errors.hpp"
#include "curate/cli/pipeline_builder.hpp"
#include "curate/cli/stage_catalogue.hpp"
#include "curate/cli/workflow_file.hpp"

#include <fmt/format.h>

#include <cmath>

namespace curate::cli {
namespace {

using nlohmann::json;

constexpr double kBytesPerGib = 1024.0 * 1024.0 * 1024.0;

double round_to(double value, double step) { return std::round(value / step) * step; }

json gpu_json(const backends::GpuDevice& gpu) {
  return {{"index", gpu.index},
          {"name", gpu.name},
          {"uuid", gpu.uuid},
          {"memory_gb", round_to(static_cast<double>(gpu.memory_total_bytes) / kBytesPerGib, 0.01)},
          {"memory_bytes", gpu.memory_total_bytes}};
}

// The nodes of the current cluster; GPU details are known for this machine only.
json nodes_json() {
  const auto cluster = backends::current_cluster();
  const std::string here = cluster->current_node_id();
  const backends::LocalMachineResources local = backends::detect_local_machine_resources();
  json nodes = json::array();
  for (const backends::NodeResources& node : cluster->nodes()) {
    json gpus = json::array();
    if (node.node_id == here) {
      for (const auto& gpu : local.gpus) gpus.push_back(gpu_json(gpu));
    }
    nodes.push_back({{"node_id", node.node_id},
                     {"hostname", node.node_id == here ? local.hostname : node.node_id},
                     {"is_head", node.is_head},
                     {"cpus", node.cpus},
                     {"num_gpus", node.gpus},
                     {"gpus", gpus}});
  }
  return nodes;
}

}  // namespace

StageRegistry make_registry(const CliContext& context) {
  StageRegistry registry = make_stage_catalogue();
  if (context.extra_stages) context.extra_stages(registry);
  return registry;
}

int describe_command(const std::filesystem::path& pipeline_file,
                     const std::vector<std::string>& sets, CliContext& context) {
  ConfigErrors errors;
  const PipelineConfig config = load_pipeline_config(pipeline_file, sets, &errors);
  const StageRegistry registry = make_registry(context);
  const Pipeline pipeline = build_pipeline(config, registry, {}, &errors);
  resolve_executor_config(config, &errors);
  errors.throw_if_any();
  context.out << describe_pipeline(config, pipeline);
  return kExitSuccess;
}

int resources_command(bool as_json, CliContext& context) {
  const json nodes = nodes_json();
  // Under MPI every rank knows the whole cluster; rank 0 alone prints it.
  if (const auto mpi = backends::mpi::MpiSession::cluster(); mpi && mpi->rank() != 0) {
    return kExitSuccess;
  }
  if (as_json) {
    context.out << json{{"nodes", nodes}}.dump() << '\n';
    return kExitSuccess;
  }
  for (const json& node : nodes) {
    context.out << fmt::format("node {}{}\n", node["node_id"].get<std::string>(),
                               node["is_head"].get<bool>() ? " (head)" : "");
    context.out << fmt::format("  host: {}\n", node["hostname"].get<std::string>());
    context.out << fmt::format("  CPUs: {}\n", node["cpus"].get<double>());
    context.out << fmt::format("  GPUs: {}\n", node["num_gpus"].get<double>());
    for (const json& gpu : node["gpus"]) {
      context.out << fmt::format(
          "    [{}] {}, {:.1f} GB{}\n", gpu["index"].get<int>(), gpu["name"].get<std::string>(),
          gpu["memory_gb"].get<double>(),
          gpu["uuid"].get<std::string>().empty() ? "" : ", " + gpu["uuid"].get<std::string>());
    }
  }
  return kExitSuccess;
}

int stages_command(CliContext& context) {
  context.out << describe_catalogue(make_registry(context)) << describe_workflows();
  return kExitSuccess;
}

}  // namespace curate::cli
