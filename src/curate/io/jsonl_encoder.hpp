#pragma once

#include "curate/core/document_batch.hpp"
#include "curate/io/json_object_scanner.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace curate::io {

/// Turn a DocumentBatch back into JSONL. A batch from JsonlReaderStage keeps each
/// record's original line in `_raw`; a record whose text is unchanged (still equal to
/// `_text_as_read`), with no column added and no field dropped, is written as
/// exactly those bytes, and runs of such records as one block. Otherwise the line is
/// patched: the text value replaced, dropped fields removed, and added columns appended
/// as `"name":value` before the closing brace, every other byte copied. Added columns
/// are those not listed in the batch's `record_columns` metadata and not internal
/// (`_raw`, `_text_as_read`, and `_curate_*` unless `write_internal_columns`). A batch without
/// `_raw` is written column by column. Columns that are copies of record fields (`fields` of the
/// reader) are not written back from the column: the original field in `_raw` is. One thread at a
/// time per instance.
class JsonlEncoder {
 public:
  /// Prepare an encoder that removes `drop_fields` from every record it writes and, with
  /// `write_internal_columns`, appends `_curate_*` columns (the dedup id, ...) too.
  explicit JsonlEncoder(std::vector<std::string> drop_fields = {},
                        bool write_internal_columns = false);

  /// Encode every row of `batch` in order, handing the bytes to `sink` in pieces (a
  /// piece may hold many lines or part of one). Throws std::runtime_error naming the
  /// batch and row when a `_raw` value is not a JSON object.
  void encode(const DocumentBatch& batch, const std::function<void(std::string_view)>& sink);

  /// Return how many rows were written unchanged / patched / rendered from columns,
  /// since construction.
  std::uint64_t rows_copied() const { return rows_copied_; }
  std::uint64_t rows_patched() const { return rows_patched_; }
  std::uint64_t rows_rendered() const { return rows_rendered_; }

 private:
  struct Column;

  std::vector<Column> columns_to_add(const DocumentBatch& batch, bool has_raw) const;
  void patch(std::string_view raw, std::size_t row, const DocumentBatch& batch, bool text_changed,
             const std::vector<Column>& added);
  bool append_members(std::string_view body, std::size_t row, const std::vector<Column>& added);
  void render(std::size_t row, const std::vector<Column>& columns);
  bool dropped(const JsonMember& member);

  std::vector<std::string> drop_fields_;
  bool write_internal_columns_ = false;
  JsonObjectLayout layout_;
  std::string line_;
  std::string key_scratch_;
  std::uint64_t rows_copied_ = 0;
  std::uint64_t rows_patched_ = 0;
  std::uint64_t rows_rendered_ = 0;
};

}  // namespace curate::io
