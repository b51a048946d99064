// One-permutation hashing with optimal densification (Shrivastava, ICML 2017).
//
// Binning: the permuted hash g = mix64(h ^ seed) picks bin reduce32(g >> 32, k) and the
// bin keeps the minimum of its value (the low 32 bits of g, or all of g for 64-bit
// values). Densification: an empty bin i probes bins j_1, j_2, ... drawn by a hash of
// (i, attempt) and copies the value of the first bin that was non-empty after binning.
// Two documents probe the same sequence for bin i, so when the bin is empty for both,
// they agree exactly when the first probed bin that is non-empty in the union holds the
// same minimum in both: probability J, as for a real bin. (Rotation densification, the
// 2014 scheme, copies from the next bin instead and correlates neighbouring values.)

#include <cstring>
#include <vector>

#include "curate/dedup/fuzzy/minhash_kernels.hpp"

namespace curate::dedup::detail {
namespace {

// One bit per bin: filled by binning (not by densification). Stack for usual sizes.
class BinMask {
 public:
  explicit BinMask(std::size_t bins) {
    const std::size_t words = (bins + 63) / 64;
    if (words <= kStackWords) {
      bits_ = stack_;
    } else {
      thread_local std::vector<uint64_t> heap;  // grown once per thread for huge k
      if (heap.size() < words) heap.resize(words);
      bits_ = heap.data();
    }
    std::memset(bits_, 0, words * sizeof(uint64_t));
  }
  void set(std::size_t i) { bits_[i >> 6] |= uint64_t{1} << (i & 63); }
  bool test(std::size_t i) const { return (bits_[i >> 6] >> (i & 63)) & 1; }

 private:
  static constexpr std::size_t kStackWords = 64;  // 4096 bins
  uint64_t stack_[kStackWords];
  uint64_t* bits_;
};

template <bool kValues64>
void bin_hashes(const uint64_t* hashes, std::size_t count, uint64_t seed, std::size_t bins,
                uint64_t* out) {
  constexpr uint64_t kEmpty = kValues64 ? ~uint64_t{0} : 0xFFFFFFFFULL;
  for (std::size_t i = 0; i < bins; ++i) out[i] = kEmpty;
  for (std::size_t s = 0; s < count; ++s) {
    const uint64_t g = mix64(hashes[s] ^ seed);
    const std::size_t bin = reduce32(static_cast<uint32_t>(g >> 32), bins);
    uint64_t value = kValues64 ? g : (g & 0xFFFFFFFFULL);
    value -= value == kEmpty;  // all ones means empty
    out[bin] = value < out[bin] ? value : out[bin];
  }
}

}  // namespace

void one_permutation_sketch(const uint64_t* hashes, std::size_t count, uint64_t seed,
                            uint64_t probe_seed, bool values64, std::size_t bins, uint64_t* out) {
  if (values64) {
    bin_hashes<true>(hashes, count, seed, bins, out);
  } else {
    bin_hashes<false>(hashes, count, seed, bins, out);
  }
  const uint64_t empty = values64 ? ~uint64_t{0} : 0xFFFFFFFFULL;
  BinMask filled(bins);
  std::size_t filled_count = 0;
  std::size_t last_filled = 0;
  for (std::size_t i = 0; i < bins; ++i) {
    if (out[i] != empty) {
      filled.set(i);
      ++filled_count;
      last_filled = i;
    }
  }
  if (filled_count == bins) return;
  if (filled_count == 1) {
    // Every probe sequence ends at the one filled bin: skip the probing.
    const uint64_t value = out[last_filled];
    for (std::size_t i = 0; i < bins; ++i) out[i] = value;
    return;
  }
  for (std::size_t i = 0; i < bins; ++i) {
    if (filled.test(i)) continue;
    const uint64_t bin_key = probe_seed ^ (static_cast<uint64_t>(i) << 32);
    for (uint64_t attempt = 1;; ++attempt) {
      const std::size_t j = reduce32(static_cast<uint32_t>(mix64(bin_key + attempt) >> 32), bins);
      if (filled.test(j)) {
        out[i] = out[j];
        break;
      }
    }
  }
}

}  // namespace curate::dedup::detail
