#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace curate {

/// A block of rows (opaque byte strings) stored in one byte buffer: what a shuffle moves
/// between route and reduce, and what crosses processes as one message (MPI_Alltoallv,
/// Ray's object store). Rows of any length keep one uint64 end offset each; rows of a
/// fixed width (`fixed_width > 0`) keep none, and row i starts at i * width.
/// No allocation per row: appends grow the buffer geometrically, and serialisation is a
/// few memcpy of the whole buffer. Not thread-safe; one writer per block, any number of
/// readers once writing stopped.
class RowBlock {
 public:
  /// Iterate the rows in order as std::string_view (valid while the block is unchanged).
  class const_iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = const std::string_view*;
    using reference = std::string_view;

    const_iterator() = default;
    const_iterator(const RowBlock* block, std::size_t index) : block_(block), index_(index) {}
    std::string_view operator*() const { return block_->row(index_); }
    const_iterator& operator++() {
      ++index_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator before = *this;
      ++index_;
      return before;
    }
    bool operator==(const const_iterator& other) const { return index_ == other.index_; }

   private:
    const RowBlock* block_ = nullptr;
    std::size_t index_ = 0;
  };

  /// Create an empty block. `fixed_width` 0: rows of any length (one byte buffer plus
  /// uint64 offsets); `fixed_width` > 0: every row has exactly that many bytes, no offsets.
  explicit RowBlock(std::size_t fixed_width = 0);

  /// Append a copy of `row`'s bytes. Throws std::invalid_argument when the block has a
  /// fixed width and `row` is not exactly that long.
  void append(std::string_view row);
  /// Reserve room for `rows` more rows of `bytes` more payload bytes in total.
  void reserve(std::size_t rows, std::size_t bytes);

  /// Return the number of rows.
  std::size_t size() const { return rows_; }
  /// Return whether the block holds no row.
  bool empty() const { return rows_ == 0; }
  /// Return row `i` (< size(); not checked), valid while the block is unchanged.
  std::string_view row(std::size_t i) const {
    if (fixed_width_ != 0) return {payload_.data() + i * fixed_width_, fixed_width_};
    const std::uint64_t begin = i == 0 ? 0 : ends_[i - 1];
    return {payload_.data() + begin, static_cast<std::size_t>(ends_[i] - begin)};
  }
  /// Return the fixed row width, or 0 for rows of any length.
  std::size_t fixed_width() const { return fixed_width_; }
  /// Return the bytes of all rows together (offsets not counted).
  std::size_t payload_bytes() const { return payload_.size(); }
  /// Return the rows' bytes, concatenated in order.
  std::string_view payload() const { return payload_; }

  /// Return iterators over the rows, so that `for (std::string_view row : block)` works.
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, rows_}; }

  /// Serialise the whole block: a header (magic, width, rows, payload size), the offsets
  /// (rows of any length only) and the payload, with a few memcpy, never one per row.
  std::string to_bytes() const;
  /// Rebuild a block from `to_bytes` output. Throws std::runtime_error naming what is
  /// wrong when `bytes` is truncated, has trailing bytes or inconsistent sizes or offsets.
  static RowBlock from_bytes(std::string_view bytes);

 private:
  std::size_t fixed_width_ = 0;
  std::size_t rows_ = 0;
  std::string payload_;
  std::vector<std::uint64_t> ends_;  // end offset of each row (rows of any length only)
};

}  // namespace curate
