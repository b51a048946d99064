#pragma once

#include "curate/core/executor.hpp"
#include "curate/core/processing_stage.hpp"

#include <optional>
#include <string>
#include <vector>

namespace curate {

/// A named list of stages. `build` expands composites and checks the stages fit
/// together; `run` builds and hands the stages to an executor. Not thread-safe.
class Pipeline {
 public:
  explicit Pipeline(std::string name, std::vector<StagePtr> stages = {},
                    std::string description = "");

  const std::string& name() const { return name_; }
  /// Append a stage; returns *this for chaining.
  Pipeline& add_stage(StagePtr stage);

  /// Return the executable stages: composites expanded once (in place, in order).
  /// Throws std::invalid_argument when there are no stages, a composite nests another,
  /// or a stage needs a column no upstream stage produces.
  std::vector<StagePtr> build() const;

  /// Return a human-readable listing of the built stages: name, resources, batch size,
  /// workers and spec keys, one line each.
  std::string describe() const;

  /// Build and execute with `executor`, starting from `initial_tasks` (default: one
  /// EmptyTask). Returns the last stage's outputs.
  std::vector<TaskPtr> run(Executor& executor,
                           std::optional<std::vector<TaskPtr>> initial_tasks = std::nullopt) const;
  /// Run as above until `cancel` is cancelled from another thread: then the executor
  /// stops starting tasks, tears every instance down and this throws RunCancelled.
  std::vector<TaskPtr> run(Executor& executor, std::optional<std::vector<TaskPtr>> initial_tasks,
                           const CancellationToken& cancel) const;

 private:
  std::string name_;
  std::string description_;
  std::vector<StagePtr> stages_;
};

}  // namespace curate
