#pragma once

// An Executor that runs every stage the way a multi-process executor (Ray) must: through
// its description. Each stage is described, turned into bytes and rebuilt from them by a
// StageRegistry (fresh state, fresh counters, nothing shared with the original), the
// rebuilt stages run on a LocalExecutor, DocumentBatch outputs come back through their
// bytes, and the rebuilt stages' counters are merged into the stages given.

#include "curate/core/executor.hpp"
#include "curate/core/stage_registry.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace curate::dedup::testing {

/// Return a registry with every stage the dedup workflows build: the I/O and dedup
/// pipeline stages and their rebuilders.
StageRegistry dedup_registry();

class DescribingExecutor final : public Executor {
 public:
  /// Rebuild through `registry` (kept by reference) and run on a LocalExecutor with
  /// `local_config`.
  DescribingExecutor(const StageRegistry& registry, nlohmann::json local_config);

  /// Describe, rebuild, run, merge counters back; throws std::logic_error when a
  /// rebuilt stage does not start with zero counters.
  std::vector<TaskPtr> execute(const std::vector<StagePtr>& stages,
                               std::vector<TaskPtr> initial_tasks) override;
  using Executor::execute;

  /// Return the names of the stages of each `execute` call, in order.
  const std::vector<std::vector<std::string>>& runs() const { return runs_; }
  /// Return the payload bytes the descriptions carried, in all.
  std::size_t payload_bytes() const { return payload_bytes_; }

 private:
  const StageRegistry& registry_;
  nlohmann::json local_config_;
  std::vector<std::vector<std::string>> runs_;
  std::size_t payload_bytes_ = 0;
};

}  // namespace curate::dedup::testing
