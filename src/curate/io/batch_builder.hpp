#pragma once

#include "curate/core/column.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/io/bad_record_sink.hpp"
#include "curate/io/pooled_string_builder.hpp"
#include "curate/io/record_parser.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace curate::io {

/// Accumulate good records into the columns of one DocumentBatch: the text, the id, the
/// raw line (`_raw`), the text as read (`_text_as_read`, sharing the text column's
/// storage) and the schema's extra fields, typed
/// per batch from the values seen (see `finish`). Also tallies bad records for the
/// batch's metadata. Used by one reader instance, one thread at a time.
class BatchBuilder {
 public:
  /// Prepare an empty builder for `schema`; with `dedup_ids`, batches get the int64
  /// column kDedupIdColumn (dedup_id.hpp), one `add_dedup_id` per `add`.
  explicit BatchBuilder(RecordSchema schema, bool dedup_ids = false);

  /// Reserve room for about `bytes` bytes of lines, so the columns do not regrow.
  void reserve(std::size_t bytes);

  /// Append one good record: its line (without line end), the LineReader buffer it lies
  /// in (`chunk`, or null when it lies elsewhere), its parsed fields, and where it came
  /// from. A record without an id gets "<stable_hash_id(file)>-<line>".
  ///
  /// `_raw` costs no copy while the batch's lines follow each other in one buffer, each
  /// with its "\n": the column then keeps that buffer (a share of `chunk`) and points
  /// into it. A gap (a bad or blank line, a "\r\n", a last line without "\n") turns the
  /// batch into a copy of its lines from there on; a new buffer ends the batch instead,
  /// see `continues_in`.
  void add(std::string_view line, const std::shared_ptr<char[]>& chunk, const ParsedRecord& record,
           const std::string& file, std::uint64_t line_number);

  /// Return false when the next line of the same file, in `chunk`, would end the batch's
  /// run of lines in one buffer: the reader then finishes the batch first, so the next
  /// one starts a run in the new buffer rather than copying this one. A line of another
  /// file continues the batch (it copies its lines from there), so that a group of small
  /// files does not give a batch per file.
  bool continues_in(const std::shared_ptr<char[]>& chunk, const std::string& file) const {
    return raw_mode_ != RawMode::Adopted || chunk == raw_chunk_ || file != source_files_.back();
  }

  /// Give the record just added its dedup id. Called once after every `add` when the
  /// builder was made with `dedup_ids`, never otherwise.
  void add_dedup_id(std::int64_t id) { dedup_ids_.push_back(id); }

  /// Count one bad record against the batch being built.
  void note_bad(BadRecordReason reason) { ++bad_[static_cast<std::size_t>(reason)]; }

  /// Return the records held so far.
  std::size_t rows() const { return raw_offsets_.size() - 1; }
  /// Return the bytes of raw lines held so far.
  std::size_t bytes() const { return raw_offsets_.back(); }
  /// Return the bad records noted since the last `finish`.
  std::uint64_t bad_records() const;

  /// Move everything into a new batch that inherits `parent` (dataset, history) and
  /// gets `task_id`, then start empty again. Metadata: source_files, bad_records,
  /// bad_records_by_reason, record_columns. Extra fields become one typed column each:
  /// all bools -> bool, all integers -> int64, numbers -> float64, all strings ->
  /// string; missing and null values are false, 0, NaN or ""; a mix of types or nested
  /// values -> string holding each value's JSON text (missing -> "").
  std::shared_ptr<DocumentBatch> finish(const Task& parent, std::string task_id);

 private:
  struct FieldColumn {
    std::vector<FieldKind> kinds;
    std::vector<std::int64_t> integers;
    std::vector<double> numbers;
    std::vector<std::uint8_t> booleans;
    StringColumn texts;  // strings unescaped, other values as JSON text, missing ""
  };

  enum class RawMode { Empty, Adopted, Copied };

  ColumnData finish_field(FieldColumn& field) const;
  void add_raw(std::string_view line, const std::shared_ptr<char[]>& chunk);
  void reset();

  RecordSchema schema_;
  bool with_dedup_ids_ = false;
  std::vector<std::int64_t> dedup_ids_;
  PooledStringBuilder text_{BufferPool::create()};  // the text column, in recycled buffers
  StringColumn ids_;
  // `_raw`: each row is the line plus "\n". Adopted: the rows are raw_offsets_.back()
  // bytes at raw_begin_, in raw_chunk_. Copied: they are raw_bytes_.
  RawMode raw_mode_ = RawMode::Empty;
  std::shared_ptr<char[]> raw_chunk_;
  const char* raw_begin_ = nullptr;
  std::string raw_bytes_;
  std::size_t raw_reserve_ = 0;  // what `reserve` asked for, used once the rows are copied
  std::vector<std::uint64_t> raw_offsets_{0};
  std::vector<FieldColumn> fields_;
  std::array<std::uint64_t, kBadRecordReasonCount> bad_{};
  std::vector<std::string> source_files_;
  std::string file_hash_;  // stable_hash_id of source_files_.back()
  std::string id_scratch_;
};

}  // namespace curate::io
