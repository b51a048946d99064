#pragma once

#include "curate/core/processing_stage.hpp"
#include "curate/io/compression.hpp"
#include "curate/io/jsonl_encoder.hpp"

#include <string>
#include <vector>

namespace curate::io {

/// Where and how JsonlWriterStage writes.
struct JsonlWriterOptions {
  std::string output_dir;  ///< created when missing
  Compression compression = Compression::None;
  int compression_level = 0;             ///< 0: the codec's default (zlib 6, zstd 3)
  std::vector<std::string> drop_fields;  ///< fields and columns left out of the output
  bool write_internal_columns = false;   ///< also append `_curate_*` columns (dedup id...)
};

/// The sink of a JSONL pipeline: write each DocumentBatch to its own file,
/// `<output_dir>/<task id>.jsonl[.gz|.zst]` (characters other than letters, digits,
/// '.', '-' and '_' in the id become '_'), first under "<name>.tmp", renamed when whole.
/// Records are encoded by JsonlEncoder: unchanged records byte for byte, changed ones
/// patched, added columns (scores...) appended. Returns a small FileGroupTask naming
/// the file (same id; metadata `rows_written`, `bytes_written`), so nothing bulky flows
/// on. Instances share nothing; several may run concurrently on different batches.
class JsonlWriterStage final : public CloneableStage<JsonlWriterStage> {
 public:
  /// Check the options; throws std::invalid_argument naming the stage when output_dir
  /// is empty or the compression level is out of range.
  explicit JsonlWriterStage(JsonlWriterOptions options, std::string name = "jsonl_writer");

  /// Write one DocumentBatch (an empty one gives an empty file). Throws
  /// std::invalid_argument for another task type and std::runtime_error on I/O errors,
  /// leaving no partial file behind. One thread at a time per instance.
  std::vector<TaskPtr> process(TaskPtr task) override;

  /// Return the path a task's output gets.
  std::string output_path(const std::string& task_id) const;

  /// Return the options the stage was built with.
  const JsonlWriterOptions& options() const { return options_; }
  /// Return this instance's encoder (its counters tell copied vs patched rows).
  const JsonlEncoder& encoder() const { return encoder_; }

  /// Describe as the pipeline stage `jsonl_writer` with the options as parameters.
  StageRecipe recipe() const override;

 private:
  JsonlWriterOptions options_;
  JsonlEncoder encoder_;
};

}  // namespace curate::io
