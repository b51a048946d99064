#pragma once

// Helpers shared by the LocalExecutor tests.

#include "curate/backends/local/local_executor.hpp"
#include "curate/core/document_batch.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace curate::testing {

/// The worker counts every executor test runs with (DESIGN.md).
inline const std::vector<int> kWorkerCounts{1, 2, 4, 8};

/// Return a LocalExecutor config sizing every 1-CPU stage to `workers` workers.
inline nlohmann::json config_for_workers(int workers,
                                         nlohmann::json extra = nlohmann::json::object()) {
  extra["num_cpus"] = workers;
  return extra;
}

/// Run `executor` on another thread and wait at most `timeout`: a hang becomes a test
/// failure (the process exits, since a hung run cannot be cancelled from outside).
/// Returns the outputs or rethrows the run's exception.
inline std::vector<TaskPtr> run_or_die(backends::LocalExecutor& executor,
                                       const std::vector<StagePtr>& stages,
                                       std::vector<TaskPtr> tasks,
                                       std::chrono::seconds timeout = std::chrono::seconds(120)) {
  std::packaged_task<std::vector<TaskPtr>()> job(
      [&executor, &stages, tasks = std::move(tasks)]() mutable {
        return executor.execute(stages, std::move(tasks));
      });
  auto future = job.get_future();
  std::thread thread(std::move(job));
  if (future.wait_for(timeout) != std::future_status::ready) {
    std::fprintf(stderr, "FATAL: LocalExecutor run did not finish within %lld s (hang)\n",
                 static_cast<long long>(timeout.count()));
    std::fflush(stderr);
    std::_Exit(3);
  }
  thread.join();
  return future.get();
}

/// Return a copy of `stage` asking for `workers` workers.
inline StagePtr with_workers(const StagePtr& stage, int workers) {
  StageOverrides overrides;
  overrides.num_workers = workers;
  return stage->with_(overrides);
}

/// Return a copy of `stage` with `resources`.
inline StagePtr with_resources(const StagePtr& stage, Resources resources) {
  StageOverrides overrides;
  overrides.resources = resources;
  return stage->with_(overrides);
}

/// Return a copy of `stage` with `spec` overlaid on its own.
inline StagePtr with_spec(const StagePtr& stage, StageSpec spec) {
  StageOverrides overrides;
  overrides.stage_spec = std::move(spec);
  return stage->with_(overrides);
}

/// Return the task ids of `tasks`, in order.
inline std::vector<std::string> ids_of(const std::vector<TaskPtr>& tasks) {
  std::vector<std::string> ids;
  for (const auto& task : tasks) ids.push_back(task->task_id());
  return ids;
}

}  // namespace curate::testing
