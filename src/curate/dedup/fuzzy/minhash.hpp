#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace curate::dedup {

/// How a MinHasher computes its k values.
/// - kClassic: k-permutation MinHash. Value i is the minimum over the shingles of
///   perm_i(h): with 32-bit values perm_i(x) = (a_i * x + b_i) mod 2^32 on the low 32
///   bits x of the shingle hash, with 64-bit values perm_i(h) = (a_i * h + b_i) mod 2^64;
///   a_i odd and b_i drawn from the seed (splitmix64). O(k) per shingle, vectorised.
/// - kOnePermutation: one-permutation hashing (Li, Owen, Zhang 2012) with optimal
///   densification (Shrivastava 2017): each shingle goes to one of k bins and the bin
///   keeps its minimum; an empty bin copies the value of the first non-empty bin on its
///   own pseudo-random probe sequence. O(1) per shingle plus O(k) per document, and
///   P[value i equal] = Jaccard, so it serves LSH banding as the classic sketch does.
enum class SketchKind { kClassic, kOnePermutation };

/// Turn a document's shingle hashes into a MinHash signature of num_hashes values.
///
/// Build one per configuration (it precomputes the permutations) and share it: sketch()
/// is const, allocates nothing and may be called from many threads at once.
class MinHasher {
 public:
  /// Precompute the permutations of `kind` for `num_hashes` values from `seed`.
  /// use_64_bit_hash false gives 32-bit values stored in uint64_t (NeMo Curator's
  /// 32-bit MurmurHash default). Throws std::invalid_argument for num_hashes < 1.
  MinHasher(SketchKind kind, int num_hashes, uint64_t seed, bool use_64_bit_hash);

  /// Return the number of values per signature.
  int num_hashes() const { return num_hashes_; }
  /// Return the sketch kind.
  SketchKind kind() const { return kind_; }
  /// Return true when values are 64-bit, false for 32-bit values.
  bool uses_64_bit_hash() const { return use_64_bit_hash_; }
  /// Return the value of every position for an empty input: all ones of the value
  /// width (0xFFFFFFFF or 0xFFFFFFFFFFFFFFFF). Real values never equal it (a shingle
  /// whose permuted hash is all ones counts as one less), so it marks "no shingle";
  /// two empty inputs have equal sketches.
  uint64_t empty_value() const { return use_64_bit_hash_ ? ~uint64_t{0} : 0xFFFFFFFFULL; }

  /// Write the num_hashes values for `shingle_hashes` (repeats allowed, any order)
  /// into `out`, whose size must be num_hashes (std::invalid_argument otherwise). An
  /// empty input fills `out` with empty_value(). Thread-safe; no allocation.
  void sketch(std::span<const uint64_t> shingle_hashes, std::span<uint64_t> out) const;

 private:
  SketchKind kind_;
  int num_hashes_;
  bool use_64_bit_hash_;
  uint64_t oph_seed_ = 0;    // one-permutation: the permutation's seed
  uint64_t probe_seed_ = 0;  // one-permutation: seed of the densification probes
  // Classic: the multipliers and increments, padded with copies to a whole number of
  // kernel blocks so the kernel has no remainder loop.
  std::vector<uint32_t> mul32_, add32_;
  std::vector<uint64_t> mul64_, add64_;
};

}  // namespace curate::dedup
