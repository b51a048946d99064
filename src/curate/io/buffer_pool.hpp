#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace curate::io {

/// Large read buffers, recycled by their owner instead of going back to malloc. A
/// reader's buffer is shared with the batches whose raw lines it holds, and a new one is
/// needed whenever the old one is still held; without recycling, every new buffer was a
/// fresh allocation. Above glibc's mmap threshold (32 MiB at most), and with any other
/// malloc, those are fresh pages: a 1 GB pass-through with 64 MB batches took 6.7x the
/// time of one with 16 MB batches, nearly all of it in page faults.
///
/// `acquire` returns a buffer whose last holder, on whatever thread, hands it back here.
/// The pool keeps up to `max_free` free buffers, the most a steady pipeline needs at once
/// between a release and the next acquire, and frees the rest. Thread-safe; buffers keep
/// the pool alive, so they may outlive whoever made it.
class BufferPool : public std::enable_shared_from_this<BufferPool> {
 public:
  /// Make a pool; always held by a shared_ptr (its buffers keep a reference).
  static std::shared_ptr<BufferPool> create(std::size_t max_free = 4);

  /// Return a buffer of at least `bytes` bytes (contents undefined): the smallest free
  /// one that is large enough and at most twice `bytes`, else a new one.
  std::shared_ptr<char[]> acquire(std::size_t bytes);

  /// Return the number of free buffers kept (tests check reuse and the bound).
  std::size_t free_count() const;

  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;
  ~BufferPool();

 private:
  explicit BufferPool(std::size_t max_free);
  void release(char* data, std::size_t bytes) noexcept;

  struct Free {
    char* data;
    std::size_t bytes;
  };
  const std::size_t max_free_;
  mutable std::mutex mutex_;
  std::vector<Free> free_;
};

}  // namespace curate::io
