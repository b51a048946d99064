#pragma once

#include "curate/core/processing_stage.hpp"
#include "curate/dedup/removal/id_set.hpp"

#include <memory>
#include <string>
#include <vector>

namespace curate::dedup {

/// The reason removed documents are counted under in run statistics.
inline constexpr std::string_view kDuplicateReason = "duplicate";

/// What RemoveDuplicatesStage drops.
struct RemoveDuplicatesOptions {
  /// Removal-list files, folders (searched for .jsonl/.jsonl.gz/.jsonl.zst...) or glob
  /// patterns; see load_removal_list for the line format.
  std::vector<std::string> removal_list;
  std::string id_field = "id";  ///< the documents' id column, matched against "id"
};

/// Drop the documents a removal list names, in one streaming pass, usable in any
/// pipeline after a reader: each DocumentBatch loses the rows whose `id_field` value is
/// listed (counted in `metadata()["dropped_by_reason"]["duplicate"]`); the others pass
/// unchanged, so a writer copies them byte for byte. The list's paths are expanded and
/// checked at construction; the list itself is loaded once, by the first instance whose
/// `setup` runs, and shared by all instances cloned from one stage. Ids must be unique
/// in the corpus: every document with a listed id is dropped.
class RemoveDuplicatesStage final : public CloneableStage<RemoveDuplicatesStage> {
 public:
  /// Expand the removal list's paths; throws std::invalid_argument naming the stage
  /// when one does not exist or nothing is found.
  explicit RemoveDuplicatesStage(RemoveDuplicatesOptions options,
                                 std::string name = "remove_duplicates");

  /// Load the removal list, once across clones (others wait for it). Throws the
  /// loader's std::runtime_error "<file>:<line>: ..." on a bad line, in every instance.
  void setup(const WorkerMetadata& worker) override;
  /// Drop listed rows of one DocumentBatch. Loads the list first if `setup` was not
  /// called. Concurrently on different instances.
  std::vector<TaskPtr> process(TaskPtr task) override;

  /// Return the column read: `id_field`.
  StageIO inputs() const override;

  /// Return the ids loaded (loading them if needed).
  const IdSet& removal_ids();
  /// Return the removal-list files found at construction.
  const std::vector<std::string>& removal_files() const { return files_; }

  /// Describe as the pipeline stage `remove_duplicates` over the removal-list files
  /// found at construction. A rebuilt instance loads the list again in its process.
  StageRecipe recipe() const override;

 private:
  struct Shared;

  RemoveDuplicatesOptions options_;
  std::vector<std::string> files_;
  std::shared_ptr<Shared> shared_;
  std::vector<std::uint8_t> keep_;  // per batch, reused
};

}  // namespace curate::dedup
