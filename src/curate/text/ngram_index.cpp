#include "curate/text/ngram_index.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace curate::text {
namespace {

// An odd multiplier keeps the polynomial hash a bijection of the last word's hash.
constexpr uint64_t kBase = 0x9E3779B97F4A7C15ULL;

constexpr std::array<uint64_t, kMaxNgram + 1> make_powers() {
  std::array<uint64_t, kMaxNgram + 1> powers{};
  powers[0] = 1;
  for (std::size_t i = 1; i <= kMaxNgram; ++i) powers[i] = powers[i - 1] * kBase;
  return powers;
}
constexpr auto kPowers = make_powers();

void check_n(std::size_t n) {
  if (n < 1 || n > kMaxNgram) {
    throw std::invalid_argument("n-gram size " + std::to_string(n) + " is outside [1, " +
                                std::to_string(kMaxNgram) + "]");
  }
}

}  // namespace

void NgramIndex::reset(std::span<const uint64_t> word_hashes) {
  num_words_ = word_hashes.size();
  prefix_.resize(num_words_ + 1);
  prefix_[0] = 0;
  for (std::size_t j = 0; j < num_words_; ++j) prefix_[j + 1] = prefix_[j] * kBase + word_hashes[j];
  for (Level& level : levels_) level.ready = false;
  if (ones_.size() < num_words_) {
    ones_.assign(num_words_, 1);
    zeros_.assign(num_words_, 0);
  }
}

uint64_t NgramIndex::hash(std::size_t start, std::size_t n) const {
  return mix64(prefix_[start + n] - prefix_[start] * kPowers[n]);
}

void NgramIndex::build(std::size_t n) {
  Level& level = levels_[n];
  level.ready = true;
  level.starts = num_words_ >= n ? num_words_ - n + 1 : 0;
  level.top = 0;
  // An n-gram repeats only if the (n-1)-grams at i and i + 1 both repeat. Level 1 is
  // not built for this (unigrams nearly always repeat), so level 2 takes every start.
  const Level* previous = (n >= 2 && levels_[n - 1].ready) ? &levels_[n - 1] : nullptr;
  level.unique = previous != nullptr && previous->unique;
  if (level.unique) return;  // nothing repeated at n - 1, so nothing at n: skip the work
  candidates_.clear();
  for (std::size_t i = 0; i < level.starts; ++i) {
    if (previous == nullptr || (previous->counts[i] >= 2 && previous->counts[i + 1] >= 2)) {
      candidates_.push_back(static_cast<uint32_t>(i));
    }
  }
  if (candidates_.empty()) {
    level.unique = true;
    return;
  }
  level.counts.assign(level.starts, 1);
  level.repeats.assign(level.starts, 0);
  counter_.clear(candidates_.size());
  slots_.resize(candidates_.size());
  for (std::size_t c = 0; c < candidates_.size(); ++c) {
    const std::size_t slot = counter_.add(hash(candidates_[c], n));
    slots_[c] = static_cast<uint32_t>(slot);
    level.repeats[candidates_[c]] = counter_.count_at(slot) > 1 ? 1 : 0;
  }
  uint32_t best = 1;
  for (std::size_t c = 0; c < candidates_.size(); ++c) {
    const uint32_t count = counter_.count_at(slots_[c]);
    level.counts[candidates_[c]] = count;
    if (count > best) {
      best = count;
      level.top = candidates_[c];
    }
  }
  level.unique = best < 2;
}

const NgramIndex::Level& NgramIndex::level(std::size_t n) {
  check_n(n);
  // Build lower levels first so that each prunes the next.
  for (std::size_t k = 2; k <= n; ++k) {
    if (!levels_[k].ready) build(k);
  }
  if (n == 1 && !levels_[1].ready) build(1);
  return levels_[n];
}

std::span<const uint32_t> NgramIndex::counts(std::size_t n) {
  const Level& built = level(n);
  if (built.unique) return std::span<const uint32_t>(ones_).first(built.starts);
  return built.counts;
}

std::span<const uint8_t> NgramIndex::repeats(std::size_t n) {
  const Level& built = level(n);
  if (built.unique) return std::span<const uint8_t>(zeros_).first(built.starts);
  return built.repeats;
}

std::size_t NgramIndex::most_frequent(std::size_t n) { return level(n).top; }

}  // namespace curate::text
