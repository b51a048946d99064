#pragma once

#include "curate/core/document_batch.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace curate::text {

/// One dropped document: its row in the batch and the name of the filter that dropped
/// it (the reason).
struct RejectedRow {
  std::size_t row = 0;
  std::string_view reason;
};

/// Write the documents a stage dropped to a folder, as datatrove's exclusion writer does:
/// one JSONL file per task, each line {"id": ..., "text": ..., "reason": ...}. The id is
/// the row's `id` column when the batch has one, else "<task id>:<row>". A file is
/// written under a temporary name and renamed when complete, so a file that exists is
/// whole. Stateless apart from the folder: instances of one stage on many threads may
/// write at once (each task has its own file).
class RejectedDocumentWriter {
 public:
  RejectedDocumentWriter() = default;
  explicit RejectedDocumentWriter(std::string directory) : directory_(std::move(directory)) {}

  /// Return true when a folder was given (writing is enabled).
  bool enabled() const { return !directory_.empty(); }
  /// Return the folder written to (empty when disabled).
  const std::string& directory() const { return directory_; }

  /// Create the folder if needed; called from stage `setup`. Throws std::runtime_error
  /// naming the folder when it cannot be created.
  void prepare() const;

  /// Return the file that `write` uses for a task of `stage_name`.
  std::string file_for(std::string_view stage_name, std::string_view task_id) const;

  /// Write `rows` of `batch` (texts from `texts`, the text as the stage received it) to
  /// the task's file, replacing an earlier file of the same task (a retried task).
  /// Throws std::runtime_error naming the file on an I/O error.
  void write(const DocumentBatch& batch, const StringColumnView& texts,
             std::span<const RejectedRow> rows, std::string_view stage_name) const;

 private:
  std::string directory_;
};

}  // namespace curate::text
