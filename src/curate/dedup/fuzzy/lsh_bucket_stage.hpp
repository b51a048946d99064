#pragma once

#include "curate/core/shuffle_stage.hpp"
#include "curate/dedup/fuzzy/fuzzy_options.hpp"
#include "curate/dedup/fuzzy/fuzzy_stats.hpp"

#include <string_view>

namespace curate::dedup {

/// The registry name LshBucketStage describes itself with (StageRegistry::add_rebuilder).
inline constexpr std::string_view kLshBucketStageType = "lsh_buckets";

/// LSH as a shuffle in band windows (`is_lsh_stage`): round r routes the bucket ids of
/// bands [r * bands_per_iteration, (r + 1) * bands_per_iteration) of every sketched
/// document, by bucket, as fixed 16-byte rows (bucket id, dedup id); each partition's
/// reduce sorts its rows and emits one (bucket, document) row per member of every
/// bucket that holds two documents or more. Only one window's rows are held at a time:
/// 16 * bands_per_iteration bytes per document. Buckets of one document are dropped
/// here, so everything downstream scales with the candidates, not the corpus.
class LshBucketStage final : public CloneableStage<LshBucketStage, ShuffleStage> {
 public:
  LshBucketStage(FuzzyOptions options, FuzzyStatsPtr stats, std::string name = "lsh");

  int num_partitions() const override { return options_.num_partitions; }
  /// Return ceil(num_bands / bands_per_iteration).
  int num_rounds() const override;
  std::size_t row_width() const override { return 2 * sizeof(uint64_t); }

  void route(const TaskPtr& input, int round, ShuffleRouter& router) override;
  std::vector<TaskPtr> reduce(int round, int partition, std::vector<RowBlock> blocks) override;

  StageIO inputs() const override;
  StageIO outputs() const override;
  StageSpec ray_stage_spec() const override;

  /// Describe as `lsh_buckets` with the options as parameters.
  StageRecipe recipe() const override;
  /// Return the shared FuzzyStats' counters (see ProcessingStage::counters).
  nlohmann::json counters() const override;
  /// Add a worker's counters into the shared FuzzyStats.
  void merge_counters(const nlohmann::json& counters) override;

 private:
  FuzzyOptions options_;
  FuzzyStatsPtr stats_;
};

}  // namespace curate::dedup
