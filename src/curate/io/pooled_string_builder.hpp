#pragma once

#include "curate/core/column.hpp"
#include "curate/io/buffer_pool.hpp"

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace curate::io {

/// Build a StringColumn in a buffer from a BufferPool. A reader makes one text column
/// per batch, as large as the batch (16 MB by default); from malloc that is fresh pages
/// for every batch above glibc's mmap threshold (32 MiB) or with another malloc, and a
/// page fault per 4 KiB of text. From the pool it is a buffer an earlier batch released,
/// whose pages are already there. The column adopts the buffer; the buffer goes back to
/// the pool when the last batch sharing the column is gone. One thread at a time.
class PooledStringBuilder {
 public:
  explicit PooledStringBuilder(std::shared_ptr<BufferPool> pool) : pool_(std::move(pool)) {}

  /// Make room for about `rows` strings of `bytes` bytes in all (a new buffer when there
  /// is none yet or it is too small; the strings so far move along).
  void reserve(std::size_t rows, std::size_t bytes);

  /// Append one string (the buffer doubles when full).
  void append(std::string_view value);

  /// Return the number of strings appended since the last `finish`.
  std::size_t rows() const { return offsets_.size() - 1; }

  /// Return the strings as a column over the buffer, and start empty (without a buffer).
  StringColumn finish();

 private:
  void grow(std::size_t bytes);

  std::shared_ptr<BufferPool> pool_;
  std::shared_ptr<char[]> buffer_;
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
  std::vector<std::uint64_t> offsets_{0};
};

}  // namespace curate::io
