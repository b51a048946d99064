#pragma once

// Resume: which source tasks of a pipeline already reached its end, and the two stages
// that track them.
//
// The source stage (the first built stage, e.g. file_partitioning) turns the seed into
// source tasks (file groups). The stage after it is wrapped in a ResumeSourceStage: it
// skips a source task whose completion marker exists, and stamps every output with
// `metadata()["source_task"] = {"id", "index", "count"}` (this output's position among
// the outputs of that source task). Stages in between keep metadata (filters keep even
// 0-row batches; the writer copies the batch's metadata onto what it returns). A
// CompletionStage appended after the last stage counts the arrivals per source task and,
// once all `count` have arrived (the writer has renamed every file), writes the marker
// `<log_dir>/completed/<id>` (temporary file, then rename). A source task whose wrapped
// stage yields nothing is complete at once. A rerun therefore redoes exactly the source
// tasks that did not finish; their outputs have deterministic names and are rewritten
// whole, so the final output equals an uninterrupted run's.

#include "curate/core/processing_stage.hpp"

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace curate::cli {

/// The metadata key ResumeSourceStage stamps on outputs: {"id", "index", "count"}.
inline constexpr const char* kSourceTaskKey = "source_task";
/// The name of the stage the CLI appends to every run (hidden from progress and stats).
inline constexpr const char* kCompletionStageName = "_completion";

/// The completion markers of one log folder, shared by every clone of the resume stages.
/// Loads the markers present at construction; thread-safe afterwards.
class CompletionLedger {
 public:
  /// Use `markers_dir` (created when missing) and read the markers already in it. With
  /// `remove_partial`, temporary markers left by an interrupted write are deleted; a
  /// ledger made while another process writes markers (a Ray actor of a running
  /// pipeline) passes false, or it could delete a marker being written.
  explicit CompletionLedger(std::filesystem::path markers_dir, bool remove_partial = true);

  /// Return true when `source_id` was completed by an earlier run (or this one).
  bool is_completed(const std::string& source_id) const;
  /// Record that output `index` of the `count` outputs of `source_id` reached the end
  /// of the pipeline (`count` unknown for a streamed output: `record_count` gives it);
  /// writes the marker once the count is known and every index has arrived. Thread-safe.
  void record_arrival(const std::string& source_id, std::size_t index,
                      std::optional<std::size_t> count);
  /// Record that `source_id` made `count` outputs in all (its stream ended); writes the
  /// marker if every one has already arrived. Thread-safe.
  void record_count(const std::string& source_id, std::size_t count);
  /// Write the marker of `source_id` now (`count` outputs). Thread-safe; idempotent.
  void mark_completed(const std::string& source_id, std::size_t count);
  /// Count a source task skipped because it was complete. Thread-safe.
  void note_skipped() { ++skipped_; }

  /// Return the number of markers found at construction. Thread-safe.
  std::size_t previously_completed() const { return previously_completed_; }
  /// Return the number of markers written by this run.
  std::size_t completed_this_run() const;
  /// Return the number of source tasks skipped by this run.
  std::size_t skipped() const { return skipped_.load(); }

  /// Return the marker file name for `source_id`: the id itself when it is a safe file
  /// name, else a sanitized form with a hash of the id appended. Pure.
  static std::string marker_name(const std::string& source_id);

 private:
  std::filesystem::path markers_dir_;
  mutable std::mutex mutex_;
  std::set<std::string> completed_;  // marker names
  struct Progress {
    std::set<std::size_t> indices;     // outputs arrived at the end of the pipeline
    std::optional<std::size_t> count;  // outputs made, once known
  };
  // Forget `source_id` and return its count when it is complete. Call under `mutex_`.
  std::optional<std::size_t> take_if_complete(const std::string& source_id,
                                              const Progress& progress);
  std::map<std::string, Progress> arrived_;
  std::size_t previously_completed_ = 0;
  std::size_t written_ = 0;
  std::atomic<std::size_t> skipped_{0};
};

/// Wrap `inner` (the stage that consumes the source tasks) so that completed source
/// tasks are skipped and outputs carry `metadata()["source_task"]`. Keeps the inner
/// stage's name, resources, batch size, workers, spec, inputs and outputs. Each input
/// task is handed to `inner->process_batch` alone, so outputs map to their source.
/// Instances share the ledger; one thread at a time per instance.
StagePtr make_resume_source_stage(StagePtr inner, std::shared_ptr<CompletionLedger> ledger);

/// Return the stage appended after the last stage of a run: it records arrivals in
/// `ledger` (when given) and returns nothing, so the driver gathers no outputs.
StagePtr make_completion_stage(std::shared_ptr<CompletionLedger> ledger);

/// Return `built` (the stages of Pipeline::build) with resume tracking added: the
/// second stage wrapped, the completion stage appended. With fewer than two stages, or
/// when any stage is a shuffle or raft-actor (gang) stage (it needs all input in one
/// run), only the completion stage is added (without a ledger) and `resumable` is false.
std::vector<StagePtr> add_resume_tracking(std::vector<StagePtr> built,
                                          std::shared_ptr<CompletionLedger> ledger,
                                          bool& resumable);

}  // namespace curate::cli
