#pragma once

#include "curate/core/column.hpp"
#include "curate/core/task.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace curate {

/// A batch of documents stored by column: the text column is one buffer plus offsets,
/// other columns are typed vectors. Columns are shared and immutable once added, so
/// `slice` is O(columns) and copies no document. A batch is owned by one stage at a time.
class DocumentBatch final : public Task {
 public:
  /// Create an empty batch (no columns, 0 rows) whose text lives in `text_field`.
  explicit DocumentBatch(std::string task_id = "", std::string dataset_name = "",
                         std::string text_field = "text");

  std::string type_name() const override { return "DocumentBatch"; }
  std::size_t num_items() const override { return num_rows_; }
  const char* item_unit() const override { return kDocumentsUnit; }
  bool validate() const override;

  std::size_t num_rows() const { return num_rows_; }
  const std::string& text_field() const { return text_field_; }
  void set_text_field(std::string name) { text_field_ = std::move(name); }

  /// Return the column names in insertion order.
  std::vector<std::string> column_names() const;
  bool has_column(std::string_view name) const { return find(name) != nullptr; }
  /// Return a column's type; throws std::out_of_range naming the column when absent.
  ColumnType column_type(std::string_view name) const;

  /// Return a typed read-only view; each throws std::out_of_range when the column is
  /// absent and std::invalid_argument when it has another type, naming column and types.
  StringColumnView strings(std::string_view name) const;
  std::span<const int64_t> int64s(std::string_view name) const;
  std::span<const double> doubles(std::string_view name) const;
  std::span<const uint8_t> bools(std::string_view name) const;
  /// Return the text column.
  StringColumnView text() const { return strings(text_field_); }

  /// Add or replace a column. The first column of an empty batch sets the row count;
  /// later ones must match it (std::invalid_argument naming the column otherwise).
  void set_column(std::string name, ColumnData data);
  /// Return the lineage of column `name` (0 when absent): a process-unique number given
  /// by `set_column` and kept by `slice` and `filter_rows`, which keep each row's value.
  /// Equal lineages therefore mean that every row still holds the value it held when the
  /// column was set: a writer can skip checking, row by row, whether a stage changed it.
  std::uint64_t column_lineage(std::string_view name) const;
  /// Add or replace column `name` as a second name for column `source`: the same rows,
  /// the same lineage, and the same storage (nothing is copied). `slice` and
  /// `filter_rows` keep the two sharing; replacing either with `set_column` parts them.
  /// Throws std::out_of_range naming `source` when it is absent.
  void share_column(std::string name, std::string_view source);
  /// Remove a column if present.
  void drop_column(std::string_view name);

  /// Return rows [begin, begin + count) sharing this batch's columns (no copy). The id,
  /// dataset name, metadata and history are copied.
  std::shared_ptr<DocumentBatch> slice(std::size_t begin, std::size_t count) const;
  /// Return the rows whose `keep` flag is non-zero, compacted into new columns; columns
  /// that share storage are compacted once and still share it.
  std::shared_ptr<DocumentBatch> filter_rows(std::span<const uint8_t> keep) const;
  /// Concatenate batches with the same columns (names and types) into one; the first
  /// batch gives id and metadata. Throws std::invalid_argument on mismatched columns.
  static std::shared_ptr<DocumentBatch> concat(
      std::span<const std::shared_ptr<DocumentBatch>> batches);

  /// Serialise ids, metadata, history and the visible rows of every column to bytes,
  /// for transport between processes. `from_bytes` is its inverse and throws
  /// std::runtime_error on truncated or corrupt input.
  std::string to_bytes() const;
  /// Append what `to_bytes` returns to `out` (a transport's own header may precede it).
  void append_bytes(std::string& out) const;
  static std::shared_ptr<DocumentBatch> from_bytes(std::string_view bytes);

 private:
  struct BoundColumn {
    std::string name;
    std::shared_ptr<const ColumnData> data;
    std::size_t offset = 0;  // first visible row of `data`
    std::uint64_t lineage = 0;
  };

  const BoundColumn* find(std::string_view name) const;
  const BoundColumn& require(std::string_view name, ColumnType type) const;

  std::string text_field_;
  std::vector<BoundColumn> columns_;
  std::size_t num_rows_ = 0;
};

using DocumentBatchPtr = std::shared_ptr<DocumentBatch>;

}  // namespace curate
