#include "curate/io/buffer_pool.hpp"

#include <algorithm>

namespace curate::io {

std::shared_ptr<BufferPool> BufferPool::create(std::size_t max_free) {
  return std::shared_ptr<BufferPool>(new BufferPool(max_free));
}

BufferPool::BufferPool(std::size_t max_free) : max_free_(max_free) {
  free_.reserve(max_free_);  // so `release`, which must not throw, never allocates
}

BufferPool::~BufferPool() {
  for (const Free& buffer : free_) delete[] buffer.data;
}

std::shared_ptr<char[]> BufferPool::acquire(std::size_t bytes) {
  char* data = nullptr;
  std::size_t size = bytes;
  {
    std::lock_guard lock(mutex_);
    // The smallest that fits, so a small file's buffer is not served a chunk-sized one
    // while a chunk-sized request later finds only small ones; at most twice the size,
    // so a small request does not pin a large buffer.
    auto best = free_.end();
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      if (it->bytes >= bytes && it->bytes <= 2 * bytes &&
          (best == free_.end() || it->bytes < best->bytes)) {
        best = it;
      }
    }
    if (best != free_.end()) {
      data = best->data;
      size = best->bytes;
      *best = free_.back();
      free_.pop_back();
    }
  }
  if (data == nullptr) data = new char[bytes];
  // Not make_shared<char[]>: that would zero the buffer, touching every page up front.
  return std::shared_ptr<char[]>(
      data, [pool = shared_from_this(), size](char* held) { pool->release(held, size); });
}

void BufferPool::release(char* data, std::size_t bytes) noexcept {
  {
    std::lock_guard lock(mutex_);
    if (free_.size() < max_free_) {
      free_.push_back(Free{data, bytes});
      return;
    }
  }
  delete[] data;
}

std::size_t BufferPool::free_count() const {
  std::lock_guard lock(mutex_);
  return free_.size();
}

}  // namespace curate::io
