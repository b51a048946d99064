// Classic k-permutation MinHash: the O(k) work per shingle, so the loop that matters.
//
// Blocking: one pass over the shingles per block of kClassicBlock hash values; the
// block's multipliers, increments and running minima are three small stack arrays (L1),
// and the shingle hashes (8 bytes per shingle) stay in L1/L2 between passes. The loop
// over the block has a constant trip count and no dependence between lanes, so GCC
// vectorises it even at -O2 (very cheap cost model) for baseline x86-64 (SSE2, which
// must emulate 32-bit multiply and unsigned minimum). target_clones adds x86-64-v2
// (SSE4: pmulld, pminud), AVX2 and AVX-512 versions, chosen at load time by the CPU (an
// ifunc), since the build itself targets baseline x86-64. Define CURATE_NO_TARGET_CLONES
// to build the baseline version alone (to measure it).
// Tried and slower: `#pragma GCC unroll` on the lane loop (GCC unrolls before it
// vectorises, giving scalar code) and GCC vector types for the block (lowered poorly).

#include <algorithm>
#include <cstdint>

#include "curate/dedup/fuzzy/minhash_kernels.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__) && \
    !defined(CURATE_NO_TARGET_CLONES)
#define CURATE_CLASSIC_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "avx2", "arch=x86-64-v2", "default")))
#else
#define CURATE_CLASSIC_CLONES
#endif

namespace curate::dedup::detail {

CURATE_CLASSIC_CLONES
void classic_sketch32(const uint64_t* hashes, std::size_t count, const uint32_t* mul,
                      const uint32_t* add, std::size_t padded, std::size_t valid, uint64_t* out) {
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
