#pragma once

#include "curate/core/column.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/io/bad_record_sink.hpp"
#include "curate/io/record_parser.hpp"

#include <array>
#include <cstdint>
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
  /// Prepare an empty builder for `schema`.
  explicit BatchBuilder(RecordSchema schema);

  /// Reserve room for about `bytes` bytes of lines, so the columns do not regrow.
  void reserve(std::size_t bytes);

  /// Append one good record: its line (without line end), its parsed fields, and where
  /// it came from. A record without an id gets "<stable_hash_id(file)>-<line>".
  void add(std::string_view line, const ParsedRecord& record, const std::string& file,
           std::uint64_t line_number);

  /// Count one bad record against the batch being built.
  void note_bad(BadRecordReason reason) { ++bad_[static_cast<std::size_t>(reason)]; }

  /// Return the records held so far.
  std::size_t rows() const { return raw_offsets_.size() - 1; }
  /// Return the bytes of raw lines held so far.
  std::size_t bytes() const { return raw_bytes_.size(); }
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

  ColumnData finish_field(FieldColumn& field) const;
  void reset();

  RecordSchema schema_;
  StringColumn text_;
  StringColumn ids_;
  std::string raw_bytes_;  // built by hand: each row is the line plus "\n"
  std::vector<std::uint64_t> raw_offsets_{0};
  std::vector<FieldColumn> fields_;
  std::array<std::uint64_t, kBadRecordReasonCount> bad_{};
  std::vector<std::string> source_files_;
  std::string file_hash_;  // stable_hash_id of source_files_.back()
  std::string id_scratch_;
};

}  // namespace curate::io
