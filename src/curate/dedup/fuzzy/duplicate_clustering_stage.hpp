#pragma once

#include "curate/core/shuffle_stage.hpp"
#include "curate/dedup/fuzzy/candidate_index.hpp"
#include "curate/dedup/fuzzy/duplicate_clustering.hpp"
#include "curate/dedup/fuzzy/fuzzy_options.hpp"
#include "curate/dedup/fuzzy/fuzzy_stats.hpp"

#include <string_view>

namespace curate::dedup {

/// The registry name DuplicateClusteringStage describes itself with (StageRegistry::add_rebuilder).
inline constexpr std::string_view kDuplicateClusteringStageType = "verify_and_cluster";

/// Verification and clustering as a shuffle (`is_shuffle_stage`): route each candidate's
/// shingle set by component, then reduce every component of a partition with
/// ComponentClusterer. The output is the removal list: one row per removed document
/// with `id` (the user's id), `kept_id` (its kept near duplicate) and `similarity`
/// (their exact Jaccard), sorted by the removed document's input order within each
/// partition: the same rows in the same files for any worker count.
class DuplicateClusteringStage final
    : public CloneableStage<DuplicateClusteringStage, ShuffleStage> {
 public:
  DuplicateClusteringStage(FuzzyOptions options, CandidateIndexPtr index, FuzzyStatsPtr stats,
                           std::string name = "verify_and_cluster");

  int num_partitions() const override { return options_.num_partitions; }
  void route(const TaskPtr& input, int round, ShuffleRouter& router) override;
  std::vector<TaskPtr> reduce(int round, int partition, std::vector<RowBlock> blocks) override;

  StageIO inputs() const override;
  StageIO outputs() const override;

  /// Describe as `verify_and_cluster` with the options as parameters and the CandidateIndex
  /// (`CandidateIndex::to_bytes`) as payload.
  StageRecipe recipe() const override;
  /// Return the shared FuzzyStats' counters (see ProcessingStage::counters).
  nlohmann::json counters() const override;
  /// Add a worker's counters into the shared FuzzyStats.
  void merge_counters(const nlohmann::json& counters) override;

 private:
  FuzzyOptions options_;
  CandidateIndexPtr index_;
  FuzzyStatsPtr stats_;
  ComponentClusterer clusterer_;
  std::string row_;
};

}  // namespace curate::dedup
