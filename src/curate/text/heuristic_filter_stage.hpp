#pragma once

#include "curate/core/document_batch.hpp"
#include "curate/core/processing_stage.hpp"
#include "curate/text/filter_registry.hpp"
#include "curate/text/rejected_writer.hpp"

#include <memory>
#include <string>
#include <vector>

namespace curate::text {

/// The metadata key under which filtering stages put {filter name: documents dropped}
/// on each output task; the stats layer sums these into stats.json.
inline constexpr const char* kDroppedByReasonKey = "dropped_by_reason";

/// What a stage built on filters does with each document.
enum class FilterMode : uint8_t {
  kScoreAndFilter,  ///< score, save scores where asked, drop on the first failing filter
  kScoreOnly,       ///< score every filter and save the scores; drop nothing
};

/// The configuration of a HeuristicFilterStage.
struct HeuristicFilterOptions {
  std::vector<FilterEntry> filters;
  FilterMode mode = FilterMode::kScoreAndFilter;
  std::string rejected_dir;  ///< empty: dropped documents are not written
  std::string text_field;    ///< empty: the batch's own text field
};

/// Run a list of filters over every document of a batch with one analysis per document
/// (NeMo Curator's ScoreFilter / Score, fused): each document is analysed once, the
/// filters run in order on the shared AnalyzedDocument, the first failing filter is the
/// drop reason and ends the work on that document. Filters that rewrite text (C4 lines)
/// replace the text column and later filters see the new text. Scores go to Float64
/// columns; drop counts per reason go to the output's `metadata()[kDroppedByReasonKey]`;
/// dropped documents optionally go to `rejected_dir`. A batch whose rows are all dropped
/// still yields an empty batch so that its counts reach the stats.
/// Each worker instance owns its analysis buffers (a copy gets fresh ones), so
/// `process` allocates nothing per document once warm; one thread per instance.
class HeuristicFilterStage final : public CloneableStage<HeuristicFilterStage> {
 public:
  /// Build the stage; throws std::invalid_argument for an empty filter list.
  HeuristicFilterStage(std::string name, HeuristicFilterOptions options);
  HeuristicFilterStage(const HeuristicFilterStage& other);
  ~HeuristicFilterStage() override;

  StageIO inputs() const override;
  StageIO outputs() const override;
  /// Create the rejected-documents folder; once per worker instance.
  void setup(const WorkerMetadata& worker) override;
  /// Filter one DocumentBatch; throws std::invalid_argument for any other task type.
  std::vector<TaskPtr> process(TaskPtr task) override;

  /// Return the configuration the stage was built with.
  const HeuristicFilterOptions& options() const { return options_; }

 private:
  struct Scratch;

  HeuristicFilterOptions options_;
  RejectedDocumentWriter rejected_;
  std::unique_ptr<Scratch> scratch_;
};

/// Keep or drop documents on a score column written by an earlier stage (NeMo Curator's
/// Filter): `entry.filter->keep(score)`, inverted when `entry.invert`, on the column
/// `entry.score_field` (Float64, Int64 or Bool). Drop counts and the rejected-documents
/// folder work as in HeuristicFilterStage. Stateless; one thread per instance.
class ScoreColumnFilterStage final : public CloneableStage<ScoreColumnFilterStage> {
 public:
  /// Build the stage; throws std::invalid_argument when `entry` has no score field.
  ScoreColumnFilterStage(std::string name, FilterEntry entry, std::string rejected_dir = "");

  StageIO inputs() const override { return {{entry_.score_field}, false}; }
  void setup(const WorkerMetadata& worker) override;
  std::vector<TaskPtr> process(TaskPtr task) override;

 private:
  FilterEntry entry_;
  RejectedDocumentWriter rejected_;
};

}  // namespace curate::text
