#pragma once

#include "curate/core/composite_stage.hpp"
#include "curate/dedup/exact/exact_duplicates_stage.hpp"

#include <string>

namespace curate::dedup {

/// Exact duplicate identification as one pipeline entry (`exact_duplicates` in YAML):
/// ExactDuplicatesStage, then a JsonlWriterStage writing the removal list to
/// `<removal_list_dir>/part.<partition>.jsonl`, one `{"id": ..., "kept_id": ...}` per
/// removed document, the same bytes for any worker count. Never executed itself;
/// `Pipeline::build` replaces it by its two stages.
class ExactDuplicates final : public CloneableStage<ExactDuplicates, CompositeStage> {
 public:
  /// Check the options; throws std::invalid_argument naming the stage and the option.
  ExactDuplicates(ExactDuplicatesOptions options, std::string removal_list_dir,
                  std::string name = "exact_duplicates");

  /// Return fresh copies of the shuffle and the removal-list writer.
  std::vector<StagePtr> decompose() const override;
  /// Return 0: the composite's overrides (num_workers, stage_spec, ...) go to the shuffle,
  /// which does the work, not to the removal-list writer.
  std::size_t primary_sub_stage() const override { return 0; }
  StageIO inputs() const override { return shuffle_->inputs(); }

 private:
  std::shared_ptr<const ExactDuplicatesStage> shuffle_;
  std::string removal_list_dir_;
};

}  // namespace curate::dedup
