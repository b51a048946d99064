#include "curate/io/pooled_string_builder.hpp"

#include <algorithm>
#include <cstring>

namespace curate::io {

void PooledStringBuilder::reserve(std::size_t rows, std::size_t bytes) {
  offsets_.reserve(offsets_.size() + rows);
  if (bytes > capacity_) grow(bytes);
}

void PooledStringBuilder::grow(std::size_t bytes) {
  std::shared_ptr<char[]> fresh = pool_->acquire(bytes);
  if (size_ > 0) std::memcpy(fresh.get(), buffer_.get(), size_);
  buffer_ = std::move(fresh);
  capacity_ = bytes;
}

void PooledStringBuilder::append(std::string_view value) {
  if (size_ + value.size() > capacity_) {
    grow(std::max<std::size_t>({4096, 2 * capacity_, size_ + value.size()}));
  }
  if (!value.empty()) std::memcpy(buffer_.get() + size_, value.data(), value.size());
  size_ += value.size();
  offsets_.push_back(size_);
}

StringColumn PooledStringBuilder::finish() {
  // The view before the move: argument order is unspecified.
  const std::string_view bytes(buffer_.get(), size_);
  StringColumn column = buffer_
                            ? StringColumn::adopt(std::move(buffer_), bytes, std::move(offsets_))
                            : StringColumn::from_parts(std::string(), std::move(offsets_));
  buffer_.reset();
  capacity_ = size_ = 0;
  offsets_.assign(1, 0);
  return column;
}

}  // namespace curate::io
