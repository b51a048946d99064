#pragma once

#include "curate/core/composite_stage.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/io/bad_record_sink.hpp"
#include "curate/io/file_partitioning_stage.hpp"
#include "curate/io/record_parser.hpp"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace curate::io {

/// How JsonlReaderStage turns lines into batches.
struct JsonlReaderOptions {
  RecordSchema schema;                     ///< text_field, id_field, extra fields
  std::size_t batch_rows = 10'000;         ///< a batch ends at this many records...
  std::size_t batch_bytes = 16u << 20;     ///< ...or this many bytes of lines
  std::size_t max_line_bytes = 16u << 20;  ///< longer lines are bad records
  /// Read size: the line buffer's base size, raised to `batch_bytes`. A batch's raw lines
  /// stay in the buffer they were read into (no copy), so a batch ends with its buffer.
  std::size_t chunk_bytes = 16u << 20;
  bool strict = false;  ///< the first bad record stops the run
  /// Add the int64 column kDedupIdColumn (dedup_id.hpp): each record's position (file
  /// ordinal in the whole input listing, line), the same for any worker count, batch
  /// size, file grouping or node count. Needs FileGroupTasks with file ordinals.
  bool add_dedup_id = false;
  std::string log_dir;  ///< errors.jsonl goes here; empty: none
};

/// The registry name JsonlReaderStage describes itself with (only rebuilt, never named
/// in pipeline YAML, where `jsonl_reader` is the whole reader).
inline constexpr std::string_view kJsonlReaderStageType = "jsonl_reader_stage";

/// The reading half of a JSONL reader (a fan-out): read each file of a FileGroupTask
/// (plain, .gz or .zst by extension) and emit DocumentBatches of at most `batch_rows`
/// records / `batch_bytes` bytes, with ids "<file group id>_<n>". Columns: the text
/// (named by text_field), the id (string; a record without one, or with a null one, gets
/// "<stable_hash_id(file path)>-<line>" from the path as listed in the task and its
/// 1-based line, the same on every run and executor), `_raw` and `_text_as_read` (see
/// jsonl_format.hpp), one typed column per extra field, and with `add_dedup_id` the
/// int64 `_curate_dedup_id`. Bad lines are skipped,
/// counted in the batch metadata and reported to a BadRecordSink shared by all
/// instances cloned from one stage; blank lines are not records and are skipped
/// silently. A damaged .gz/.zst keeps the records before the damage. With `strict`, the
/// first bad record throws std::runtime_error "<file>:<line>: <reason>".
class JsonlReaderStage final : public CloneableStage<JsonlReaderStage> {
 public:
  /// Check the options; throws std::invalid_argument naming the stage and the option.
  explicit JsonlReaderStage(JsonlReaderOptions options, std::string name = "jsonl_reader");
  /// Copy the configuration and share the bad-record sink; the copy gets its own
  /// parser and buffers (what an executor's clone needs).
  JsonlReaderStage(const JsonlReaderStage& other);
  JsonlReaderStage& operator=(const JsonlReaderStage&) = delete;
  ~JsonlReaderStage() override;

  /// Read one FileGroupTask and return all its batches. Memory is bounded by the
  /// group's size; executors use `process_stream` instead. One thread at a time.
  std::vector<TaskPtr> process(TaskPtr task) override;

  /// Return true: batches are made, and can be sent on, one at a time.
  bool streams_outputs() const override { return true; }
  /// Read one FileGroupTask, handing each batch to `emit` as soon as it is full, so
  /// memory holds one batch of the group, not the whole group.
  void process_stream(TaskPtr task, const OutputSink& emit) override;

  /// Read `group` and hand each finished batch to `emit` as soon as it is full, so only
  /// one batch is held at a time. Stop and return false when `emit` returns false.
  /// Throws std::runtime_error when a file cannot be read, and in strict mode at the
  /// first bad record. One thread at a time per instance.
  bool read_group(const FileGroupTask& group,
                  const std::function<bool(std::shared_ptr<DocumentBatch>)>& emit);

  /// Allocate the parser and buffers of this instance (otherwise done on first use).
  void setup(const WorkerMetadata& worker) override;
  /// Release them.
  void teardown() override;

  /// Return the columns the stage produces; `any_columns`, since every field of a
  /// record travels in `_raw` to the writer.
  StageIO outputs() const override;
  /// Mark the stage as a fan-out.
  StageSpec ray_stage_spec() const override;

  /// Return the options the stage was built with.
  const JsonlReaderOptions& options() const { return options_; }
  /// Return the sink shared by this stage and its clones (counts by reason).
  const std::shared_ptr<BadRecordSink>& bad_record_sink() const { return sink_; }

  /// Describe as `jsonl_reader_stage` (kJsonlReaderStageType) with the options as
  /// parameters. A rebuilt instance has its own bad-record sink.
  StageRecipe recipe() const override;
  /// Return the bad records counted by the shared sink, by reason (nonzero ones only).
  nlohmann::json counters() const override;
  /// Add a worker's bad-record counts into the shared sink (no errors.jsonl lines: the
  /// worker wrote those).
  void merge_counters(const nlohmann::json& counters) override;

 private:
  struct Scratch;

  Scratch& scratch();

  JsonlReaderOptions options_;
  std::shared_ptr<BadRecordSink> sink_;
  std::unique_ptr<Scratch> scratch_;
};

/// A JSONL reader as one pipeline entry: FilePartitioningStage then JsonlReaderStage.
/// The input paths are expanded and checked at construction. Never executed itself;
/// `Pipeline::build` replaces it by its two stages.
class JsonlReader final : public CloneableStage<JsonlReader, CompositeStage> {
 public:
  /// Expand the inputs and check both stages' options; throws std::invalid_argument.
  JsonlReader(FilePartitioningOptions partitioning, JsonlReaderOptions reading,
              std::string name = "jsonl_reader");

  /// Return fresh copies of the partitioning and reading stages.
  std::vector<StagePtr> decompose() const override;
  /// Return the reading stage's outputs, so the composite describes itself.
  StageIO outputs() const override { return reader_->outputs(); }

 private:
  std::shared_ptr<const FilePartitioningStage> partitioning_;
  std::shared_ptr<const JsonlReaderStage> reader_;
};

}  // namespace curate::io
