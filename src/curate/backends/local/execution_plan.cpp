#include "curate/backends/local/execution_plan.hpp"

#include "curate/backends/local/local_executor.hpp"

#include "curate/backends/resource_discovery.hpp"
#include "curate/backends/utils.hpp"
#include "curate/core/shuffle_stage.hpp"
#include "curate/core/suggest.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <stdexcept>

namespace curate::backends::local {
namespace {

// Guards floor(4 / (4/3)) and the like against landing just below an integer.
constexpr double kEpsilon = 1e-9;

std::optional<double> non_negative_number(const nlohmann::json& object, const char* key,
                                          std::string_view where) {
  if (!object.is_object() || !object.contains(key) || object.at(key).is_null()) return std::nullopt;
  const auto& value = object.at(key);
  if (!value.is_number() || value.get<double>() < 0.0) {
    throw std::invalid_argument(
        fmt::format("{}: '{}' must be a number >= 0, got {}", where, key, value.dump()));
  }
  return value.get<double>();
}

std::optional<int> positive_integer(const nlohmann::json& object, const char* key,
                                    std::string_view where) {
  if (!object.is_object() || !object.contains(key) || object.at(key).is_null()) return std::nullopt;
  const auto& value = object.at(key);
  if (!value.is_number_integer() || value.get<long long>() < 1 ||
      value.get<long long>() > INT_MAX) {
    throw std::invalid_argument(
        fmt::format("{}: '{}' must be a positive integer, got {}", where, key, value.dump()));
  }
  return value.get<int>();
}

bool is_task_stage(const curate::StageSpec& spec) {
  return !spec.is_actor_stage() && !spec.is_fanout_stage() && !spec.is_shuffle_stage() &&
         !spec.is_lsh_stage() && !spec.is_raft_actor();
}

SegmentKind kind_of(const ProcessingStage& stage, const curate::StageSpec& spec) {
  const bool shuffle = spec.is_shuffle_stage() || spec.is_lsh_stage();
  if (shuffle && spec.is_raft_actor()) {
    throw std::invalid_argument(fmt::format(
        "stage '{}' is marked both as a shuffle and as a raft actor; pick one", stage.name()));
  }
  if (shuffle) {
    const auto* shuffle_stage = dynamic_cast<const curate::ShuffleStage*>(&stage);
    if (shuffle_stage == nullptr) {
      throw std::invalid_argument(
          fmt::format("stage '{}' is marked is_shuffle_stage/is_lsh_stage but does not implement "
                      "curate::ShuffleStage (route/reduce)",
                      stage.name()));
    }
    if (shuffle_stage->num_partitions() < 1 || shuffle_stage->num_rounds() < 1) {
      throw std::invalid_argument(
          fmt::format("stage '{}' must have at least 1 partition and 1 round, has {} and {}",
                      stage.name(), shuffle_stage->num_partitions(), shuffle_stage->num_rounds()));
    }
    return SegmentKind::Shuffle;
  }
  return spec.is_raft_actor() ? SegmentKind::Gang : SegmentKind::Stream;
}

void check_gpus(const StagePlan& plan, bool gpus_overridden, double available_gpus,
                bool ignore_head_node) {
  const int needed = static_cast<int>(std::ceil(plan.gpus_per_worker - kEpsilon));
  try {
    if (!gpus_overridden) {
      check_total_gpu_capacity(needed, ignore_head_node);
    } else if (needed > static_cast<int>(std::floor(available_gpus + kEpsilon))) {
      throw std::runtime_error(fmt::format("Need {} GPUs but cluster has {} available.", needed,
                                           std::floor(available_gpus + kEpsilon)));
    }
  } catch (const std::runtime_error& error) {
    throw std::runtime_error(fmt::format(
        "stage '{}' needs {} GPUs per worker: {} Lower the stage's gpus/gpu_memory_gb or run "
        "where more GPUs are visible.",
        plan.stage->name(), plan.gpus_per_worker, error.what()));
  }
}

// Sizes one stage's pool: as many workers as the resources allow, or the requested
// number capped at that. Pools of different stages share the machine on purpose: a
// worker waiting on a queue costs nothing.
void size_pool(StagePlan& plan, double cpus, double gpus, bool ignore_head_node) {
  const auto& stage = *plan.stage;
  if (plan.cpus_per_worker > cpus + kEpsilon) {
    throw std::runtime_error(fmt::format(
        "stage '{}' needs {} CPUs per worker but the cluster has {} available{}", stage.name(),
        plan.cpus_per_worker, cpus,
        ignore_head_node ? " (ignore_head_node is on: the head node's CPUs are not used)" : ""));
  }
  long long cap = LLONG_MAX;
  if (plan.cpus_per_worker > 0.0) {
    cap = std::min(cap, static_cast<long long>(std::floor(cpus / plan.cpus_per_worker + kEpsilon)));
  }
  if (plan.gpus_per_worker > 0.0) {
    cap = std::min(cap, static_cast<long long>(std::floor(gpus / plan.gpus_per_worker + kEpsilon)));
  }
  const bool needs_nothing = cap == LLONG_MAX;
  if (needs_nothing) cap = static_cast<long long>(std::floor(cpus + kEpsilon));
  cap = std::clamp<long long>(cap, 1, INT_MAX);

  const std::string where = fmt::format("stage '{}' ray_remote_args", stage.name());
  std::optional<int> requested =
      positive_integer(stage.stage_spec().ray_remote_args(), "num_workers", where);
  if (!requested) requested = stage.num_workers();
  if (!requested) {
    plan.workers = static_cast<int>(cap);
  } else if (*requested > cap && !needs_nothing) {
    spdlog::warn(
        "stage '{}' asks for {} workers but the resources allow {} ({} CPUs and {} GPUs "
        "available, {} CPUs and {} GPUs per worker); using {}",
        stage.name(), *requested, cap, cpus, gpus, plan.cpus_per_worker, plan.gpus_per_worker, cap);
    plan.workers = static_cast<int>(cap);
  } else {
    plan.workers = *requested;
  }
}

StagePlan plan_stage(const StagePtr& stage, const nlohmann::json& config, double cpus, double gpus,
                     bool gpus_overridden, bool ignore_head_node) {
  if (!stage) throw std::invalid_argument("LocalExecutor: null stage in the pipeline");
  const curate::StageSpec spec = stage->stage_spec();
  const nlohmann::json remote_args = spec.ray_remote_args();
  StagePlan plan;
  plan.stage = stage;
  plan.options = merge_executor_configs(config, remote_args);
  warn_on_env_var_override(config, plan.options);
  const std::string where = fmt::format("stage '{}' ray_remote_args", stage->name());
  const curate::Resources& resources = stage->resources();
  plan.cpus_per_worker =
      non_negative_number(remote_args, "num_cpus", where).value_or(resources.cpus);
  if (auto override_gpus = non_negative_number(remote_args, "num_gpus", where)) {
    plan.gpus_per_worker = *override_gpus;
  } else if (resources.gpu_memory_gb > 0.0) {
    plan.gpus_per_worker = resources.gpu_fraction(gpu0_memory_gb());
  } else {
    plan.gpus_per_worker = resources.gpus;
  }
  plan.max_calls_per_worker = spec.max_calls_per_worker();
  if (plan.gpus_per_worker > 0.0) check_gpus(plan, gpus_overridden, gpus, ignore_head_node);
  size_pool(plan, cpus, gpus, ignore_head_node);
  return plan;
}

bool can_fuse(const StagePlan& previous, const StagePlan& next) {
  return is_task_stage(previous.stage->stage_spec()) && is_task_stage(next.stage->stage_spec()) &&
         next.stage->batch_size() == 1 && previous.workers == next.workers &&
         previous.cpus_per_worker == next.cpus_per_worker &&
         previous.gpus_per_worker == next.gpus_per_worker;
}

void collect_env_vars(const StagePlan& plan, std::map<std::string, std::string>& env_vars) {
  const auto& options = plan.options;
  if (!options.contains("runtime_env") || !options["runtime_env"].is_object()) return;
  const auto& runtime_env = options["runtime_env"];
  if (!runtime_env.contains("env_vars") || !runtime_env["env_vars"].is_object()) return;
  for (const auto& [key, value] : runtime_env["env_vars"].items()) {
    const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
    auto [it, inserted] = env_vars.emplace(key, text);
    if (!inserted && it->second != text) {
      spdlog::warn(
          "stage '{}' sets env var {}={} but an earlier stage set {}={}; in-process "
          "workers share one environment, keeping the earlier value",
          plan.stage->name(), key, text, key, it->second);
    }
  }
}

}  // namespace

ExecutionPlan make_execution_plan(const std::vector<StagePtr>& stages, const nlohmann::json& config,
                                  bool ignore_head_node) {
  if (!config.is_object()) {
    throw std::invalid_argument(
        fmt::format("LocalExecutor config must be an object, got {}", config.dump()));
  }
  const std::vector<std::string>& known = LocalExecutor::config_keys();
  for (const auto& [key, value] : config.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      throw std::invalid_argument(
          fmt::format("LocalExecutor config: unknown key '{}'{}; valid keys: {}", key,
                      did_you_mean(key, known), fmt::join(known, ", ")));
    }
  }
  for (const char* key : {"fuse_task_stages", "discard_outputs"}) {
    if (config.contains(key) && !config[key].is_boolean()) {
      throw std::invalid_argument(
          fmt::format("LocalExecutor config: '{}' must be true or false", key));
    }
  }
  const bool fuse = config.value("fuse_task_stages", true);
  const auto cpus_override = non_negative_number(config, "num_cpus", "LocalExecutor config");
  const auto gpus_override = non_negative_number(config, "num_gpus", "LocalExecutor config");
  // Checked here for a clear message; each stage reads it from its merged options.
  positive_integer(config, "queue_capacity", "LocalExecutor config");

  ExecutionPlan plan;
  plan.discard_outputs = config.value("discard_outputs", false);
  const auto [cluster_cpus, cluster_gpus] =
      get_available_cpu_gpu_resources(false, ignore_head_node);
  plan.available_cpus = cpus_override.value_or(cluster_cpus);
  plan.available_gpus = gpus_override.value_or(cluster_gpus);

  std::vector<SegmentKind> kinds;
  for (const auto& stage : stages) {
    plan.stages.push_back(plan_stage(stage, config, plan.available_cpus, plan.available_gpus,
                                     gpus_override.has_value(), ignore_head_node));
    kinds.push_back(kind_of(*stage, stage->stage_spec()));
    if (kinds.back() != SegmentKind::Stream && plan.stages.back().max_calls_per_worker) {
      spdlog::warn(
          "stage '{}': max_calls_per_worker is ignored for shuffle and raft-actor "
          "stages, whose instances keep state for the whole run",
          stage->name());
      plan.stages.back().max_calls_per_worker.reset();
    }
    collect_env_vars(plan.stages.back(), plan.env_vars);
  }

  for (std::size_t i = 0; i < plan.stages.size(); ++i) {
    const bool fusable = fuse && !plan.segments.empty() && kinds[i] == SegmentKind::Stream &&
                         plan.segments.back().kind == SegmentKind::Stream &&
                         can_fuse(plan.stages[i - 1], plan.stages[i]);
    if (fusable) {
      plan.segments.back().stages.push_back(i);
      continue;
    }
    SegmentPlan segment;
    segment.kind = kinds[i];
    segment.stages = {i};
    segment.workers = plan.stages[i].workers;
    const std::string where = fmt::format("stage '{}' options", plan.stages[i].stage->name());
    const auto capacity = positive_integer(plan.stages[i].options, "queue_capacity", where);
    segment.queue_capacity = static_cast<std::size_t>(
        std::max(capacity.value_or(2 * segment.workers), plan.stages[i].stage->batch_size()));
    plan.segments.push_back(std::move(segment));
  }

  std::vector<std::string> summary;
  for (const auto& segment : plan.segments) {
    std::vector<std::string> names;
    for (auto index : segment.stages) names.push_back(plan.stages[index].stage->name());
    summary.push_back(fmt::format("[{}] x{}", fmt::join(names, "+"), segment.workers));
  }
  spdlog::info("LocalExecutor: {} stages on {} CPUs and {} GPUs: {}", plan.stages.size(),
               plan.available_cpus, plan.available_gpus, fmt::join(summary, ", "));
  return plan;
}

WorkerAllocation worker_allocation(const StagePlan& stage, int worker, double available_gpus) {
  WorkerAllocation allocation;
  allocation.cpus = stage.cpus_per_worker;
  allocation.gpus = stage.gpus_per_worker;
  const int gpu_count = static_cast<int>(std::floor(available_gpus + kEpsilon));
  if (stage.gpus_per_worker > 0.0 && gpu_count > 0) {
    const int first = static_cast<int>(std::floor(worker * stage.gpus_per_worker + kEpsilon));
    const int count = static_cast<int>(std::ceil(stage.gpus_per_worker - kEpsilon));
    for (int i = 0; i < count; ++i) allocation.gpu_indices.push_back((first + i) % gpu_count);
  }
  return allocation;
}

}  // namespace curate::backends::local
