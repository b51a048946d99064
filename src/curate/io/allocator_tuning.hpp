#pragma once

namespace curate::io {

/// Ask glibc's malloc to keep freed batch-sized blocks for reuse instead of returning
/// them to the kernel. By default glibc maps every block above a (adaptive) threshold
/// with mmap and trims the heap top above twice that, so each new batch's columns land
/// on fresh pages and page-fault on first touch: on the machines measured that cost more
/// than parsing (pass-through 4.7 CPU-s vs 0.8 CPU-s for 512 MB). This sets
/// M_MMAP_THRESHOLD to 32 MiB (glibc's maximum) and M_TRIM_THRESHOLD to 256 MiB, once per
/// process; peak memory is unchanged, freed memory is simply kept. Called by the reader
/// on first use; safe to call from any thread, any number of times. A no-op elsewhere
/// than glibc and under sanitizers, which bring their own allocator.
void tune_allocator_for_batches();

}  // namespace curate::io
