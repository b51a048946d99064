// Classic k-permutation MinHash: the O(k) work per shingle, so the loop that matters.
// Two loop orders over the same arithmetic; classic_sketch32 picks one per CPU.
//
// Lane blocks: one pass over the shingles per block of kClassicBlock hash values; the
// block's multipliers, increments and running minima are three small stack arrays (L1),
// and the shingle hashes (8 bytes per shingle) stay in L1/L2 between passes. The loop
// over the block has a constant trip count and no dependence between lanes, so GCC
// vectorises it even at -O2 (very cheap cost model) for baseline x86-64 (SSE2, which
// must emulate 32-bit multiply and unsigned minimum). target_clones adds x86-64-v2
// (SSE4: pmulld, pminud), AVX2 and AVX-512 versions, chosen at load time by the CPU (an
// ifunc), since the build itself targets baseline x86-64. Define CURATE_NO_TARGET_CLONES
// to build the baseline version alone (to measure it). Under ThreadSanitizer there are
// no clones: GCC instruments the ifunc resolver, which runs while the dynamic loader
// relocates the program, before TSan's runtime is up, and the program crashes at load.
// Tried and slower: `#pragma GCC unroll` on the lane loop (GCC unrolls before it
// vectorises, giving scalar code) and GCC vector types for the block (lowered poorly).

#include <algorithm>
#include <cstdint>

#include "curate/dedup/fuzzy/minhash_kernels.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && \
    !defined(CURATE_NO_TARGET_CLONES) && !defined(__SANITIZE_THREAD__)
#define CURATE_HAS_CLONES 1
#define CURATE_CLASSIC_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "avx2", "arch=x86-64-v2", "default")))
#else
#define CURATE_HAS_CLONES 0
#define CURATE_CLASSIC_CLONES
#endif

namespace curate::dedup::detail {

CURATE_CLASSIC_CLONES
void classic_sketch32_lane_blocks(const uint64_t* hashes, std::size_t count, const uint32_t* mul,
                                  const uint32_t* add, std::size_t padded, std::size_t valid,
                                  uint64_t* out) {
  constexpr std::size_t kBlock = kClassicBlock32;
  for (std::size_t first = 0; first < padded; first += kBlock) {
    uint32_t a[kBlock];
    uint32_t b[kBlock];
    uint32_t minimum[kBlock];
    for (std::size_t lane = 0; lane < kBlock; ++lane) {
      a[lane] = mul[first + lane];
      b[lane] = add[first + lane];
      minimum[lane] = ~uint32_t{0};
    }
    for (std::size_t s = 0; s < count; ++s) {
      const auto x = static_cast<uint32_t>(hashes[s]);
      for (std::size_t lane = 0; lane < kBlock; ++lane) {
        const uint32_t value = a[lane] * x + b[lane];
        minimum[lane] = value < minimum[lane] ? value : minimum[lane];
      }
    }
    const std::size_t lanes = std::min(kBlock, valid - std::min(valid, first));
    for (std::size_t lane = 0; lane < lanes; ++lane) {
      // All ones is the empty sentinel; a real minimum of all ones reads one less.
      const uint32_t value = minimum[lane];
      out[first + lane] = value == ~uint32_t{0} ? value - 1 : value;
    }
  }
}

// Shingle-major order for CPUs with AVX2 but not AVX-512: for each hash value, the minimum
// over a chunk of shingles is a plain min-reduction, which GCC vectorises over the
// shingles with the running minimum in one register (no store per shingle, no loop
// carried through memory). GCC 12 vectorises this reduction only for 256- and 512-bit
// vectors, so narrower CPUs keep the lane-block loop above. Each chunk is padded with
// repeats of its first shingle to a multiple of 16, which changes no minimum and gives
// the loop a trip count the -O2 cost model accepts.
namespace {

[[gnu::always_inline]] inline void shingle_major32(const uint64_t* hashes, std::size_t count,
                                                   const uint32_t* mul, const uint32_t* add,
                                                   std::size_t valid, uint64_t* out) {
  constexpr std::size_t kChunk = 1024;  // 4 KB of 32-bit shingle hashes: stays in L1
  alignas(64) uint32_t xs[kChunk];
  for (std::size_t lane = 0; lane < valid; ++lane) out[lane] = ~uint32_t{0};
  for (std::size_t first = 0; first < count; first += kChunk) {
    const std::size_t size = std::min(kChunk, count - first);
    for (std::size_t s = 0; s < size; ++s) xs[s] = static_cast<uint32_t>(hashes[first + s]);
    const std::size_t blocks = (size + 15) / 16;
    for (std::size_t s = size; s < blocks * 16; ++s) xs[s] = xs[0];
    const std::size_t length = blocks * 16;
    for (std::size_t lane = 0; lane < valid; ++lane) {
      const uint32_t a = mul[lane];
      const uint32_t b = add[lane];
      auto minimum = static_cast<uint32_t>(out[lane]);
      for (std::size_t s = 0; s < length; ++s) {
        const uint32_t value = a * xs[s] + b;
        minimum = value < minimum ? value : minimum;
      }
      out[lane] = minimum;
    }
  }
  for (std::size_t lane = 0; lane < valid; ++lane) {
    // All ones is the empty sentinel; a real minimum of all ones reads one less.
    out[lane] -= out[lane] == ~uint32_t{0};
  }
}

#if CURATE_HAS_CLONES
[[gnu::target("avx2")]] void shingle_major32_avx2(const uint64_t* hashes, std::size_t count,
                                                  const uint32_t* mul, const uint32_t* add,
                                                  std::size_t valid, uint64_t* out) {
  shingle_major32(hashes, count, mul, add, valid, out);
}
#endif

}  // namespace

void classic_sketch32_shingle_major(const uint64_t* hashes, std::size_t count, const uint32_t* mul,
                                    const uint32_t* add, std::size_t valid, uint64_t* out) {
#if CURATE_HAS_CLONES
  static const bool avx2 = __builtin_cpu_supports("avx2");
  if (avx2) return shingle_major32_avx2(hashes, count, mul, add, valid, out);
#endif
  shingle_major32(hashes, count, mul, add, valid, out);
}

// Measured on a Zen 4 core, 260 values per shingle: lane blocks 5.5 ns per shingle with
// AVX-512 (the x86-64-v4 clone), 26 ns with AVX2; shingle-major 12.9 ns with AVX2. So
// AVX-512 CPUs take the lane blocks, AVX2 ones the shingle-major loop, older ones the
// lane blocks (SSE4 or SSE2 clone).
void classic_sketch32(const uint64_t* hashes, std::size_t count, const uint32_t* mul,
                      const uint32_t* add, std::size_t padded, std::size_t valid, uint64_t* out) {
#if CURATE_HAS_CLONES
  static const bool shingle_major =
      !__builtin_cpu_supports("x86-64-v4") && __builtin_cpu_supports("avx2");
  if (shingle_major) return shingle_major32_avx2(hashes, count, mul, add, valid, out);
#endif
  classic_sketch32_lane_blocks(hashes, count, mul, add, padded, valid, out);
}

CURATE_CLASSIC_CLONES
void classic_sketch64(const uint64_t* hashes, std::size_t count, const uint64_t* mul,
                      const uint64_t* add, std::size_t padded, std::size_t valid, uint64_t* out) {
  constexpr std::size_t kBlock = kClassicBlock64;
  for (std::size_t first = 0; first < padded; first += kBlock) {
    uint64_t a[kBlock];
    uint64_t b[kBlock];
    uint64_t minimum[kBlock];
    for (std::size_t lane = 0; lane < kBlock; ++lane) {
      a[lane] = mul[first + lane];
      b[lane] = add[first + lane];
      minimum[lane] = ~uint64_t{0};
    }
    for (std::size_t s = 0; s < count; ++s) {
      const uint64_t x = hashes[s];
      for (std::size_t lane = 0; lane < kBlock; ++lane) {
        const uint64_t value = a[lane] * x + b[lane];
        minimum[lane] = value < minimum[lane] ? value : minimum[lane];
      }
    }
    const std::size_t lanes = std::min(kBlock, valid - std::min(valid, first));
    for (std::size_t lane = 0; lane < lanes; ++lane) {
      const uint64_t value = minimum[lane];
      out[first + lane] = value == ~uint64_t{0} ? value - 1 : value;
    }
  }
}

}  // namespace curate::dedup::detail
