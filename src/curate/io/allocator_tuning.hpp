#pragma once

namespace curate::io {

/// Ask glibc's malloc to keep freed batch-sized blocks for reuse instead of returning
/// them to the kernel. By default glibc maps every block above a (adaptive) threshold
/// with mmap and trims the heap top above twice that, so each new batch's columns land
/// on fresh pages and page-fault on first touch: on the machines measured that cost more
/// than parsing (pass-through 4.7 CPU-s vs 0.8 CPU-s for 512 MB). This sets
/// M_MMAP_THRESHOLD to 32 MiB (glibc's maximum) and M_TRIM_THRESHOLD to 256 MiB, once per
/// process; peak memory is unchanged, freed memory is simply kept. It also sets
/// M_ARENA_MAX to 1: a batch is made by a reader thread and freed by a writer thread, and
/// glibc unmaps a secondary arena's heap as soon as it empties, so with per-thread arenas
/// the batches' memory went back to the kernel after every batch (1 GB pass-through on
/// one core: 3.4x the page faults and 2.2x the time). Small allocations stay per thread
/// (tcache), and the hot paths allocate nothing per document. Called when a reader is
/// built, before worker threads exist, as the arena limit binds only threads that have
/// not allocated yet (its clones come from that one); safe to call from any thread, any
/// number of times. A no-op elsewhere than glibc and under sanitizers, which bring their
/// own allocator.
void tune_allocator_for_batches();

}  // namespace curate::io
