#pragma once

#include "curate/core/executor.hpp"
#include "curate/core/processing_stage.hpp"
#include "curate/dedup/fuzzy/fuzzy_options.hpp"
#include "curate/dedup/workflow_support.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace curate::dedup {

/// What FuzzyDeduplicationWorkflow reads and writes. The text and id fields are the
/// input's (`options.text_field` and `options.id_field` are set from them).
struct FuzzyDeduplicationConfig {
  DedupInput input;
  std::string output_path;  ///< removal_list/ and deduplicated/ go here
  FuzzyOptions options;
  bool perform_removal = false;  ///< also write the corpus without the removed documents
  bool overwrite = false;        ///< replace removal_list/ and deduplicated/ if present
};

/// Fuzzy deduplication with verification, as up to three pipelines on one executor:
/// 1. read -> MinHashStage -> LshBucketStage (band windows) -> ConnectedComponentsStage:
///    the candidate documents with their components and buckets (driver memory:
///    CandidateIndex, 24 bytes per candidate plus 8 per bucket membership);
/// 2. read -> CandidateShingleStage -> DuplicateClusteringStage -> JSONL writer: the
///    removal list `<output_path>/removal_list/part.NNNNN.jsonl`, one
///    `{"id", "kept_id", "similarity"}` per removed document, where `kept_id` is a kept
///    document whose exact Jaccard with it is >= the threshold;
/// 3. with `perform_removal`: read -> remove the listed documents -> JSONL writer into
///    `<output_path>/deduplicated/`.
/// The removal list is the same for any worker count, batch size or grouping. Not
/// thread-safe; one `run` at a time.
class FuzzyDeduplicationWorkflow {
 public:
  /// Check the configuration and list the input files now, so a mistake or a missing
  /// path is reported before anything runs; throws std::invalid_argument naming it.
  explicit FuzzyDeduplicationWorkflow(FuzzyDeduplicationConfig config);

  /// Run every phase on `executor` and return the counters (documents, shingles,
  /// candidate pairs, verified pairs, components, largest component, removed...).
  /// `after_phase`, when set, is called on the driver thread after each pipeline with
  /// its name ("candidates", "verify", "removal"), so a caller can read the executor's
  /// stats. Throws std::runtime_error when an output folder is not empty and
  /// `overwrite` is false, and whatever the executor throws.
  nlohmann::json run(Executor& executor,
                     const std::function<void(const std::string&)>& after_phase = {}) const;

  /// Return the folder that receives the removal list.
  const std::string& removal_list_dir() const { return removal_list_dir_; }
  /// Return the folder that receives the deduplicated corpus (with perform_removal).
  const std::string& deduplicated_dir() const { return deduplicated_dir_; }
  const FuzzyDeduplicationConfig& config() const { return config_; }

 private:
  FuzzyDeduplicationConfig config_;
  StagePtr reader_;  // each pipeline expands it into fresh stages
  std::string removal_list_dir_;
  std::string deduplicated_dir_;
};

}  // namespace curate::dedup
