#include "curate/io/allocator_tuning.hpp"

#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace curate::io {

void tune_allocator_for_batches() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    // Fixed values also switch off glibc's adaptive threshold, which otherwise follows
    // the size of the last freed block and keeps trimming the batches' memory away.
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_ARENA_MAX, 1);
  });
#endif
}

}  // namespace curate::io
