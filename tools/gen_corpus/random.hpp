#pragma once

#include <cstdint>

namespace curate::tools {

/// Mix a 64-bit value into a well-distributed one (splitmix64's finaliser).
/// Pure function; used to derive independent seeds from (seed, stream, index).
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Derive the seed of one independent stream, e.g. the generator of document `index`.
/// Pure function, so any document can be regenerated later from (seed, stream, index).
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  return mix64(mix64(seed ^ mix64(stream)) + index);
}

/// Generate pseudo-random numbers with xoshiro256** (Blackman and Vigna).
/// Implemented here rather than taken from <random> because the standard
/// distributions are implementation-defined and the corpus must be byte-identical
/// on every machine. Not thread-safe; one instance per stream.
class Random {
 public:
  /// Seed the four state words from `seed` with splitmix64, as the authors recommend.
  explicit Random(std::uint64_t seed) {
    for (auto& word : state_) {
      word = mix64(seed);
      seed += 0x9e3779b97f4a7c15ULL;
    }
  }

  /// Return the next 64 uniformly distributed bits.
  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  /// Return a uniform integer in [0, bound); `bound` must be positive.
  /// Lemire's multiply-and-reject method: exact (no modulo bias) and division-free
  /// on the common path.
  std::uint64_t below(std::uint64_t bound) {
    __extension__ using Wide = unsigned __int128;
    Wide product = static_cast<Wide>(next()) * bound;
    auto low = static_cast<std::uint64_t>(product);
    if (low < bound) {
      const std::uint64_t threshold = -bound % bound;
      while (low < threshold) {
        product = static_cast<Wide>(next()) * bound;
        low = static_cast<std::uint64_t>(product);
      }
    }
    return static_cast<std::uint64_t>(product >> 64);
  }

  /// Return a uniform integer in [low, high]; requires low <= high.
  std::uint64_t between(std::uint64_t low, std::uint64_t high) {
    return low + below(high - low + 1);
  }

  /// Return true with probability numerator / denominator (integer, so exact everywhere).
  bool chance(std::uint64_t numerator, std::uint64_t denominator) {
    return below(denominator) < numerator;
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t state_[4];
};

}  // namespace curate::tools
