#pragma once

#include "curate/core/document_batch.hpp"
#include "curate/core/processing_stage.hpp"
#include "curate/dedup/fuzzy/fuzzy_options.hpp"
#include "curate/dedup/fuzzy/fuzzy_stats.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace curate::dedup {

/// The registry name MinHashStage describes itself with (StageRegistry::add_rebuilder).
inline constexpr std::string_view kMinHashStageType = "minhash";

/// The first fuzzy stage: shingle each document, sketch it (MinHash) and band the
/// sketch into LSH bucket ids. The output batch is light: per document only its dedup
/// id and `num_bands` bucket ids (8 bytes each), never the text, so the LSH shuffle that
/// keeps its inputs across band windows holds 8 * (num_bands + 1) bytes per document.
/// A task stage: instances share only the stats; one thread at a time per instance.
class MinHashStage final : public CloneableStage<MinHashStage> {
 public:
  /// Check the options; throws std::invalid_argument naming the one out of range.
  MinHashStage(FuzzyOptions options, FuzzyStatsPtr stats, std::string name = "minhash");
  /// Copy the configuration and share the stats; the copy gets its own buffers (what an
  /// executor's clone needs).
  MinHashStage(const MinHashStage& other);
  MinHashStage& operator=(const MinHashStage&) = delete;

  /// Sketch one DocumentBatch (needs the text and dedup id columns).
  std::vector<TaskPtr> process(TaskPtr task) override;

  StageIO inputs() const override;
  StageIO outputs() const override;

  /// Describe as `minhash` with the options as parameters.
  StageRecipe recipe() const override;
  /// Return the shared FuzzyStats' counters (see ProcessingStage::counters).
  nlohmann::json counters() const override;
  /// Add a worker's counters into the shared FuzzyStats.
  void merge_counters(const nlohmann::json& counters) override;

 private:
  FuzzyOptions options_;
  FuzzyStatsPtr stats_;
  Shingler shingler_;
  MinHasher hasher_;
  std::vector<uint64_t> shingle_hashes_;
  std::vector<uint64_t> signature_;
  std::vector<uint64_t> buckets_;
};

}  // namespace curate::dedup
