#pragma once

// The inner loops of MinHasher, one .cpp per sketch kind. Internal to dedup/fuzzy.

#include <cstddef>
#include <cstdint>

namespace curate::dedup::detail {

/// Hash values a classic 32-bit kernel computes per pass over the shingles; the
/// permutation arrays are padded to a multiple of it.
inline constexpr std::size_t kClassicBlock32 = 32;
/// The same for 64-bit values.
inline constexpr std::size_t kClassicBlock64 = 16;

/// out[i] = min over s of (mul[i] * uint32(hashes[s]) + add[i]) mod 2^32 for i < valid;
/// `mul` and `add` hold `padded` entries (a multiple of kClassicBlock32). Picks the
/// faster loop for the CPU: classic_sketch32_shingle_major on AVX2 CPUs without AVX-512,
/// classic_sketch32_lane_blocks on the others.
void classic_sketch32(const uint64_t* hashes, std::size_t count, const uint32_t* mul,
                      const uint32_t* add, std::size_t padded, std::size_t valid, uint64_t* out);

/// The same values by the lane-block loop: one pass over the shingles per block of
/// kClassicBlock32 values (AVX-512, SSE4 and SSE2 versions). Exposed so that tests check
/// both loops on any machine.
void classic_sketch32_lane_blocks(const uint64_t* hashes, std::size_t count, const uint32_t* mul,
                                  const uint32_t* add, std::size_t padded, std::size_t valid,
                                  uint64_t* out);

/// The same values by the shingle-major loop: per value a min-reduction over chunks of
/// shingles (AVX2 version when the CPU has AVX2).
void classic_sketch32_shingle_major(const uint64_t* hashes, std::size_t count, const uint32_t* mul,
                                    const uint32_t* add, std::size_t valid, uint64_t* out);

/// out[i] = min over s of (mul[i] * hashes[s] + add[i]) mod 2^64 for i < valid.
void classic_sketch64(const uint64_t* hashes, std::size_t count, const uint64_t* mul,
                      const uint64_t* add, std::size_t padded, std::size_t valid, uint64_t* out);

/// One-permutation hashing of `count` hashes into `bins` bins of out, then optimal
/// densification. Values are 32-bit unless `values64`. count must be > 0.
void one_permutation_sketch(const uint64_t* hashes, std::size_t count, uint64_t seed,
                            uint64_t probe_seed, bool values64, std::size_t bins, uint64_t* out);

/// The splitmix64 finaliser: a bijection of 64-bit words with full avalanche.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// Map a 32-bit value uniformly onto [0, range) (Lemire's multiply-shift reduction).
inline std::size_t reduce32(uint32_t x, std::size_t range) {
  return static_cast<std::size_t>((static_cast<uint64_t>(x) * range) >> 32);
}

}  // namespace curate::dedup::detail
