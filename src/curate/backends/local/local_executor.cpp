#include "curate/backends/local/local_executor.hpp"

#include "curate/backends/cluster.hpp"
#include "curate/backends/local/execution_plan.hpp"
#include "curate/backends/local/local_run.hpp"
#include "curate/backends/local/scoped_environment.hpp"
#include "curate/backends/logging.hpp"
#include "curate/backends/utils.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <limits>
#include <stdexcept>

namespace curate::backends {

LocalExecutor::LocalExecutor(nlohmann::json config, bool ignore_head_node)
    : BaseExecutor(std::move(config), ignore_head_node) {}

const std::vector<std::string>& LocalExecutor::config_keys() {
  static const std::vector<std::string> keys = {"queue_capacity", "num_cpus",         "num_gpus",
                                                "log_level",      "fuse_task_stages", "runtime_env",
                                                "discard_outputs"};
  return keys;
}

LocalExecutor::~LocalExecutor() = default;

std::vector<TaskPtr> LocalExecutor::execute(const std::vector<StagePtr>& stages,
                                            std::vector<TaskPtr> initial_tasks) {
  return execute(stages, std::move(initial_tasks), CancellationToken());
}

std::vector<TaskPtr> LocalExecutor::execute(const std::vector<StagePtr>& stages,
                                            std::vector<TaskPtr> initial_tasks,
                                            const CancellationToken& cancel) {
  if (stages.empty()) {
    throw std::invalid_argument(
        "LocalExecutor: no stages to run; build a pipeline with at least "
        "one stage");
  }
  if (initial_tasks.empty()) {
    throw std::invalid_argument(
        "no input tasks: LocalExecutor::execute needs at least one initial task (Pipeline::run "
        "passes one EmptyTask by default); check the input path or file list");
  }
  if (initial_tasks.size() >= std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument(fmt::format(
        "LocalExecutor: {} initial tasks is too many; group them (a FileGroupTask per batch of "
        "files)",
        initial_tasks.size()));
  }
  for (std::size_t i = 0; i < initial_tasks.size(); ++i) {
    if (!initial_tasks[i]) {
      throw std::invalid_argument(fmt::format("LocalExecutor: initial task {} is null", i));
    }
  }

  if (cancel.cancelled()) throw RunCancelled(cancel.reason());

  configure_logging(config());
  register_logger_serializer();
  local::ExecutionPlan plan = local::make_execution_plan(stages, config(), ignore_head_node());
  local::ScopedEnvironment environment(plan.env_vars);
  execute_setup_on_node(stages, ignore_head_node());

  auto run = std::make_shared<local::LocalRun>(std::move(plan), std::move(initial_tasks),
                                               NodeInfo{current_cluster()->current_node_id()});
  {
    std::lock_guard lock(mutex_);
    live_run_ = run;
  }
  // Publishes the final snapshot and stats however the run ends, then lets the run (and
  // the stage prototypes it holds) go.
  struct Finish {
    LocalExecutor& executor;
    local::LocalRun& run;
    ~Finish() {
      auto progress = run.progress();
      auto stats = run.stats();
      std::lock_guard lock(executor.mutex_);
      executor.final_progress_ = std::move(progress);
      executor.last_stats_ = std::move(stats);
      executor.live_run_.reset();
    }
  } finish{*this, *run};
  // Registered after `finish`, so it is gone (and waited for) before the run is let go.
  const auto registration = cancel.on_cancel([run, cancel] { run->cancel(cancel.reason()); });
  std::vector<TaskPtr> outputs = run->run();
  spdlog::debug("LocalExecutor finished: {} output tasks", outputs.size());
  return outputs;
}

RunStats LocalExecutor::last_run_stats() const {
  std::lock_guard lock(mutex_);
  return last_stats_;
}

std::vector<StageProgress> LocalExecutor::progress() const {
  std::shared_ptr<local::LocalRun> run;
  {
    std::lock_guard lock(mutex_);
    if (!live_run_) return final_progress_;
    run = live_run_;
  }
  return run->progress();
}

}  // namespace curate::backends
