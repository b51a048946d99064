#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace curate {

/// The element type of a DocumentBatch column; the order matches `ColumnData`'s variant.
enum class ColumnType : uint8_t { String = 0, Int64 = 1, Float64 = 2, Bool = 3 };

/// Return "string", "int64", "float64" or "bool".
std::string_view to_string(ColumnType type);

/// Store many strings as one byte buffer plus n+1 offsets, so a column of a million
/// documents is two allocations. Append-only while it is built, then shared read-only.
/// The buffer is either the column's own or a window of storage kept alive by someone
/// else's shared pointer (`adopt`): a reader hands over the very buffer it read lines
/// into, so a column of raw records costs no copy.
class StringColumn {
 public:
  StringColumn() = default;

  /// Reserve room for `rows` strings of `bytes` bytes in total.
  void reserve(std::size_t rows, std::size_t bytes) {
    offsets_.reserve(rows + 1);
    if (!keeper_) bytes_.reserve(bytes);
  }
  /// Append one string; amortised O(length). A column over adopted storage first
  /// copies it into a buffer of its own (the adopted storage is read-only).
  void append(std::string_view value) {
    if (keeper_) own();
    bytes_.append(value);
    offsets_.push_back(bytes_.size());
  }
  std::size_t size() const { return offsets_.size() - 1; }
  std::string_view operator[](std::size_t row) const {
    return bytes().substr(offsets_[row], offsets_[row + 1] - offsets_[row]);
  }
  /// Return the bytes of rows [begin, end) as one contiguous view.
  std::string_view range_bytes(std::size_t begin, std::size_t end) const {
    return bytes().substr(offsets_[begin], offsets_[end] - offsets_[begin]);
  }
  /// Return the whole buffer.
  std::string_view bytes() const {
    return keeper_ ? std::string_view(adopted_, adopted_size_) : std::string_view(bytes_);
  }
  const std::vector<uint64_t>& offsets() const { return offsets_; }

  /// Build a column directly from a buffer and offsets (n+1 entries, first 0, last the
  /// buffer size, non-decreasing); throws std::invalid_argument otherwise.
  static StringColumn from_parts(std::string bytes, std::vector<uint64_t> offsets);
  /// Build a column over `bytes`, which `keeper` keeps alive and nobody changes while
  /// it does, with `offsets` as for `from_parts` (std::invalid_argument otherwise).
  static StringColumn adopt(std::shared_ptr<const void> keeper, std::string_view bytes,
                            std::vector<uint64_t> offsets);

 private:
  void own();

  std::string bytes_;
  std::shared_ptr<const void> keeper_;  // set when the buffer is adopted, not owned
  const char* adopted_ = nullptr;
  std::size_t adopted_size_ = 0;
  std::vector<uint64_t> offsets_{0};
};

/// One column's values; `index()` equals the ColumnType. Bools are bytes (0 or 1).
using ColumnData =
    std::variant<StringColumn, std::vector<int64_t>, std::vector<double>, std::vector<uint8_t>>;

/// Return the number of rows in `data`.
std::size_t column_size(const ColumnData& data);

/// A read-only window of rows [offset, offset + size) over a shared StringColumn.
class StringColumnView {
 public:
  StringColumnView() = default;
  StringColumnView(const StringColumn* column, std::size_t offset, std::size_t size)
      : column_(column), offset_(offset), size_(size) {}
  std::size_t size() const { return size_; }
  std::string_view operator[](std::size_t row) const { return (*column_)[offset_ + row]; }
  /// Return the column the window is over (null for a default-constructed view) and the
  /// window's first row in it: what an Arrow export shares instead of copying.
  const StringColumn* column() const { return column_; }
  std::size_t offset() const { return offset_; }
  /// Return the total bytes of the rows in the window.
  std::size_t total_bytes() const {
    return size_ == 0 ? 0 : column_->range_bytes(offset_, offset_ + size_).size();
  }

 private:
  const StringColumn* column_ = nullptr;
  std::size_t offset_ = 0;
  std::size_t size_ = 0;
};

}  // namespace curate
