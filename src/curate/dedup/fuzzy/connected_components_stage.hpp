#pragma once

#include "curate/core/shuffle_stage.hpp"
#include "curate/dedup/fuzzy/fuzzy_stats.hpp"

#include <cstdint>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace curate {
class Gang;
}

namespace curate::dedup {

/// The registry name ConnectedComponentsStage describes itself with (StageRegistry::add_rebuilder).
inline constexpr std::string_view kConnectedComponentsStageType = "connected_components";

/// Connected components of the LSH candidate graph, as a raft-actor gang
/// (`is_raft_actor`). Each member takes (bucket, document) batches from LshBucketStage;
/// every bucket arrives whole at one member, whose consecutive documents are joined.
/// At the end each member reduces its rows to a local forest (document, smallest
/// document of its local component), the members send their forests to member 0
/// through the gang's all-to-all, member 0 merges them and sends each member the
/// global component of every document it sent. A component is named by its smallest
/// dedup id, so the labels are the same whichever member saw which bucket. The output
/// rows (component, document, bucket) are those the member took, labelled. The same
/// exchange runs across ranks when the gang spans processes.
class ConnectedComponentsStage final : public CloneableStage<ConnectedComponentsStage, GangStage> {
 public:
  explicit ConnectedComponentsStage(FuzzyStatsPtr stats, std::string name = "connected_components");

  /// Keep the gang handed over by the executor.
  void setup(const WorkerMetadata& worker) override;
  /// Keep one batch of (bucket, document) rows; returns nothing.
  std::vector<TaskPtr> process(TaskPtr task) override;
  /// Label every kept row with its component (collective over the gang).
  std::vector<TaskPtr> finish() override;

  StageIO inputs() const override;
  StageIO outputs() const override;

  /// Describe as `connected_components`.
  StageRecipe recipe() const override;
  /// Return the shared FuzzyStats' counters (see ProcessingStage::counters).
  nlohmann::json counters() const override;
  /// Add a worker's counters into the shared FuzzyStats.
  void merge_counters(const nlohmann::json& counters) override;

 private:
  FuzzyStatsPtr stats_;
  std::shared_ptr<Gang> gang_;
  std::vector<std::pair<uint64_t, int64_t>> rows_;  // (bucket, document)
};

/// One document of a member's local forest and the smallest document of its local
/// component (trivially copyable: forests cross the gang as raw bytes).
struct ForestEntry {
  int64_t doc;
  int64_t root;
};

/// Return, for each (document, local root) pair of every member's forest, the smallest
/// document of its global component, in the order given (member by member). Used by
/// member 0 of ConnectedComponentsStage; exposed for tests. Also counts components of
/// two documents or more and the largest one into `stats` when given.
std::vector<std::vector<int64_t>> merge_forests(
    const std::vector<std::vector<ForestEntry>>& forests, FuzzyStats* stats);

}  // namespace curate::dedup
