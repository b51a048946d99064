#pragma once

#include "curate/core/shuffle_stage.hpp"
#include "curate/dedup/exact/text_hasher.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace curate::dedup {

/// Removal-list columns of the batches ExactDuplicatesStage emits. `id` and `kept_id`
/// are what the JSONL removal list holds (`{"id": ..., "kept_id": ...}`); the two int64
/// dedup ids are internal (`_curate_`), which the writer leaves out by default.
inline constexpr std::string_view kRemovedIdColumn = "id";
inline constexpr std::string_view kKeptIdColumn = "kept_id";
inline constexpr std::string_view kKeptDedupIdColumn = "_curate_kept_dedup_id";

/// Metadata of each removal batch: documents reduced in its partition, groups of two
/// or more identical texts, and documents listed for removal (integers).
inline constexpr std::string_view kDocumentsKey = "documents";
inline constexpr std::string_view kDuplicateGroupsKey = "duplicate_groups";
inline constexpr std::string_view kRemovedKey = "removed";

/// The registry name ExactDuplicatesStage describes itself with (only rebuilt: in
/// pipeline YAML `exact_duplicates` is the stage and its removal-list writer).
inline constexpr std::string_view kExactDuplicatesStageType = "exact_duplicates_stage";

/// What ExactDuplicatesStage hashes and how it partitions.
struct ExactDuplicatesOptions {
  std::string text_field = "text";
  std::string id_field = "id";  ///< the user's id, carried into the removal list
  TextHash hash = TextHash::Xxh3_128;
  int num_partitions = 64;  ///< shuffle partitions; also the removal list's file count at most
};

/// Exact deduplication as a shuffle (`is_shuffle_stage`): route each document's row
/// (16-byte text hash, 8-byte dedup id, then the user id's bytes: rows of varying width
/// in RowBlocks, no allocation per document) to partition hash % num_partitions; reduce
/// each partition by grouping equal hashes and keeping the document with the smallest
/// dedup id (the first in input order). Every other member of a group is listed in the
/// partition's output batch, id `part.<partition, 5 digits>`, sorted by dedup id, with
/// columns `id` (removed), `kept_id`, `_curate_dedup_id` (removed) and
/// `_curate_kept_dedup_id`; partitions that got documents but no duplicate give an empty
/// batch, so a removal list always has a file. The output is the same for any worker
/// count. Input: DocumentBatches with the text, the id and `_curate_dedup_id` (the JSONL
/// reader's `add_dedup_id`).
class ExactDuplicatesStage final : public CloneableStage<ExactDuplicatesStage, ShuffleStage> {
 public:
  /// Check the options; throws std::invalid_argument naming the stage and the option.
  explicit ExactDuplicatesStage(ExactDuplicatesOptions options,
                                std::string name = "exact_duplicates");

  /// Return `num_partitions` of the options.
  int num_partitions() const override { return options_.num_partitions; }
  /// Hash and route every document of a DocumentBatch. Throws std::invalid_argument
  /// when a column is missing (naming `add_dedup_id` for the dedup id). Concurrently on
  /// different instances.
  void route(const TaskPtr& input, int round, ShuffleRouter& router) override;
  /// Group one partition's documents by hash and list all but the first of each group.
  std::vector<TaskPtr> reduce(int round, int partition, std::vector<RowBlock> blocks) override;

  /// Return the columns read: text, id and `_curate_dedup_id`.
  StageIO inputs() const override;
  /// Return the removal-list columns.
  StageIO outputs() const override;

  /// Return the options the stage was built with.
  const ExactDuplicatesOptions& options() const { return options_; }

  /// Describe as `exact_duplicates_stage` (kExactDuplicatesStageType) with the options.
  StageRecipe recipe() const override;

 private:
  ExactDuplicatesOptions options_;
  TextHasher hasher_;
  std::string row_;  // the row being routed, reused
};

}  // namespace curate::dedup
