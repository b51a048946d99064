// One-permutation hashing with optimal densification (Shrivastava, ICML 2017).
//
// Binning: the permuted hash g = (h ^ seed) * odd picks bin reduce32(g >> 32, k) and the
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
  // The shingle hashes are XXH3 outputs already, so one odd multiply is permutation
  // enough: its high half (the bin) depends on every bit of h ^ seed, its low half (the
  // 32-bit value) is a bijection of the low half of h ^ seed, and the whole a bijection.
  const uint64_t multiplier = (seed >> 1) | 1 | (uint64_t{1} << 63);
  // Two phases per chunk: the arithmetic (vectorised), then the scatter of minima, whose
  // loads and stores then issue back to back.
  constexpr std::size_t kChunk = 256;
  uint32_t bin_of[kChunk];
  uint64_t value_of[kChunk];
  for (std::size_t first = 0; first < count; first += kChunk) {
    const std::size_t size = count - first < kChunk ? count - first : kChunk;
    for (std::size_t s = 0; s < size; ++s) {
      const uint64_t g = (hashes[first + s] ^ seed) * multiplier;
      bin_of[s] = static_cast<uint32_t>(((g >> 32) * bins) >> 32);
      uint64_t value = kValues64 ? g : (g & 0xFFFFFFFFULL);
      value -= value == kEmpty;  // all ones means empty
      value_of[s] = value;
    }
    for (std::size_t s = 0; s < size; ++s) {
      uint64_t& slot = out[bin_of[s]];
      slot = value_of[s] < slot ? value_of[s] : slot;
    }
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
