#include "curate/dedup/fuzzy/minhash.hpp"

#include <stdexcept>
#include <string>

#include "curate/dedup/fuzzy/minhash_kernels.hpp"

namespace curate::dedup {
namespace {

// splitmix64: the stream that turns one seed into every permutation's parameters.
uint64_t next_random(uint64_t& state) {
  state += 0x9E3779B97F4A7C15ULL;
  return detail::mix64(state);
}

std::size_t round_up(std::size_t value, std::size_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

}  // namespace

MinHasher::MinHasher(SketchKind kind, int num_hashes, uint64_t seed, bool use_64_bit_hash)
    : kind_(kind), num_hashes_(num_hashes), use_64_bit_hash_(use_64_bit_hash) {
  if (num_hashes < 1) {
    throw std::invalid_argument("num_hashes must be at least 1 (got " + std::to_string(num_hashes) +
                                ")");
  }
  uint64_t state = seed;
  if (kind_ == SketchKind::kOnePermutation) {
    oph_seed_ = next_random(state);
    probe_seed_ = next_random(state);
    return;
  }
  const auto count = static_cast<std::size_t>(num_hashes);
  if (use_64_bit_hash_) {
    const std::size_t padded = round_up(count, detail::kClassicBlock64);
    mul64_.resize(padded);
    add64_.resize(padded);
    for (std::size_t i = 0; i < padded; ++i) {
      // Padding lanes repeat lane 0: computed and thrown away, never read.
      if (i < count) {
        mul64_[i] = next_random(state) | 1;  // odd: a bijection of 64-bit words
        add64_[i] = next_random(state);
      } else {
        mul64_[i] = mul64_[0];
        add64_[i] = add64_[0];
      }
    }
  } else {
    const std::size_t padded = round_up(count, detail::kClassicBlock32);
    mul32_.resize(padded);
    add32_.resize(padded);
    for (std::size_t i = 0; i < padded; ++i) {
      if (i < count) {
        const uint64_t r = next_random(state);
        mul32_[i] = static_cast<uint32_t>(r) | 1;  // odd: a bijection of 32-bit words
        add32_[i] = static_cast<uint32_t>(r >> 32);
      } else {
        mul32_[i] = mul32_[0];
        add32_[i] = add32_[0];
      }
    }
  }
}

void MinHasher::sketch(std::span<const uint64_t> shingle_hashes, std::span<uint64_t> out) const {
  const auto count = static_cast<std::size_t>(num_hashes_);
  if (out.size() != count) {
    throw std::invalid_argument(
        "MinHasher::sketch: output has " + std::to_string(out.size()) +
        " values but the sketch has num_hashes = " + std::to_string(num_hashes_));
  }
  if (shingle_hashes.empty()) {
    for (uint64_t& value : out) value = empty_value();
    return;
  }
  if (kind_ == SketchKind::kOnePermutation) {
    detail::one_permutation_sketch(shingle_hashes.data(), shingle_hashes.size(), oph_seed_,
                                   probe_seed_, use_64_bit_hash_, count, out.data());
  } else if (use_64_bit_hash_) {
    detail::classic_sketch64(shingle_hashes.data(), shingle_hashes.size(), mul64_.data(),
                             add64_.data(), mul64_.size(), count, out.data());
  } else {
    detail::classic_sketch32(shingle_hashes.data(), shingle_hashes.size(), mul32_.data(),
                             add32_.data(), mul32_.size(), count, out.data());
  }
}

}  // namespace curate::dedup
