#pragma once

#include "curate/core/executor.hpp"
#include "curate/core/processing_stage.hpp"
#include "curate/dedup/fuzzy/fuzzy_options.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace curate::dedup {

/// What FuzzyDeduplicationWorkflow reads and writes (NeMo Curator's names where it has
/// them: input_path, output_path, char_ngrams via options.shingles...).
struct FuzzyDeduplicationConfig {
  std::vector<std::string> input_paths;    ///< JSONL files, folders or globs
  std::optional<int> files_per_partition;  ///< reader grouping (default: one file each)
  std::optional<uint64_t> blocksize;       ///< or group by bytes on disk
  std::size_t batch_rows = 10'000;         ///< documents per reader batch
  std::size_t max_line_bytes = 16u << 20;  ///< longer records are skipped and reported
  std::string output_path;  ///< the removal list goes to <output_path>/FuzzyDuplicateIds
  FuzzyOptions options;
  /// When set, also write the corpus without the removed documents here (JSONL).
  std::optional<std::string> deduplicated_output_path;
};

/// Fuzzy deduplication with verification, as three pipelines on one executor:
/// 1. read -> MinHashStage -> LshBucketStage (band windows) -> ConnectedComponentsStage:
///    the candidate documents with their components and buckets (driver memory:
///    CandidateIndex, 24 bytes per candidate plus 8 per bucket membership);
/// 2. read -> CandidateShingleStage -> DuplicateClusteringStage -> JSONL writer: the
///    removal list, `{"id", "kept_id", "similarity"}` per removed document, where
///    `kept_id` is a kept document whose exact Jaccard with it is >= the threshold;
/// 3. (optional) read -> remove the listed documents -> JSONL writer.
/// The removal list is the same for any worker count, batch size or grouping. Not
/// thread-safe; `run` may be called more than once.
class FuzzyDeduplicationWorkflow {
 public:
  /// Check the configuration and list the input files now, so a mistake or a missing
  /// path is reported before anything runs; throws std::invalid_argument naming it.
  explicit FuzzyDeduplicationWorkflow(FuzzyDeduplicationConfig config);

  /// Run every phase on `executor` and return the counters (documents, shingles,
  /// candidate pairs, verified pairs, components, largest component, removed...).
  /// Throws what the executor throws; an existing removal list is replaced.
  /// `after_phase`, when set, is called on the driver thread after each pipeline with
  /// its name ("candidates", "verify"), so a caller can read the executor's stats.
  nlohmann::json run(Executor& executor,
                     const std::function<void(const std::string&)>& after_phase = {}) const;

  /// Return the folder that receives the removal list.
  std::string removal_list_dir() const;
  const FuzzyDeduplicationConfig& config() const { return config_; }

 private:
  FuzzyDeduplicationConfig config_;
  StagePtr reader_;  // each pipeline expands it into fresh stages
};

}  // namespace curate::dedup
