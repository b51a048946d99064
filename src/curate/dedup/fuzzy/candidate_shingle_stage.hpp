#pragma once

#include "curate/core/processing_stage.hpp"
#include "curate/dedup/fuzzy/candidate_index.hpp"
#include "curate/dedup/fuzzy/fuzzy_options.hpp"
#include "curate/dedup/fuzzy/fuzzy_stats.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace curate::dedup {

/// The registry name CandidateShingleStage describes itself with (StageRegistry::add_rebuilder).
inline constexpr std::string_view kCandidateShingleStageType = "candidate_shingles";

/// The verification pass over the corpus: keep only the candidate documents (those in
/// `index`) and replace each one's text by its shingle set, sorted 64-bit hashes of
/// the same shingles the sketches were made of. Output columns: dedup id, component,
/// the user's id (`id_field`) and the shingle set (8 bytes per distinct shingle). A
/// task stage; one thread at a time per instance.
class CandidateShingleStage final : public CloneableStage<CandidateShingleStage> {
 public:
  /// Shingle candidates with options.shingles (the options the sketches used).
  CandidateShingleStage(FuzzyOptions options, CandidateIndexPtr index, FuzzyStatsPtr stats,
                        std::string name = "candidate_shingles");
  /// Copy the configuration, share index and stats; the copy gets its own buffers.
  CandidateShingleStage(const CandidateShingleStage& other);
  CandidateShingleStage& operator=(const CandidateShingleStage&) = delete;

  std::vector<TaskPtr> process(TaskPtr task) override;
  StageIO inputs() const override;
  StageIO outputs() const override;

  /// Describe as `candidate_shingles` with the options as parameters and the CandidateIndex
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
  Shingler shingler_;
  std::vector<uint64_t> set_;
};

/// The column of CandidateShingleStage holding each document's shingle set.
inline constexpr std::string_view kShingleSetColumn = "_shingle_set";

}  // namespace curate::dedup
