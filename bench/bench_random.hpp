#pragma once

#include <cstddef>
#include <cstdint>

namespace curate::bench {

/// A small deterministic generator (splitmix64), the same on every platform, so the
/// benchmarks' generated texts, and so their figures, do not depend on the library.
/// Not thread-safe; one per generating thread.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Return a value in [0, n).
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  /// Return a value in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) / 9007199254740992.0; }

 private:
  uint64_t state_;
};

}  // namespace curate::bench
