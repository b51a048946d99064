#pragma once

#include "curate/text/flat_hash_counter.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace curate::text {

/// The largest n for n-gram statistics.
inline constexpr std::size_t kMaxNgram = 32;

/// Count the word n-grams of one document, for every n the filters ask for, without
/// building a string per n-gram: an n-gram is the polynomial hash of its words' XXH3
/// hashes (O(1) each from prefix sums), and n-grams are compared by that 64-bit hash
/// (a false match needs a 64-bit collision). An n-gram can repeat only if both of its
/// (n-1)-grams repeat, so level n hashes only those positions: for natural text levels
/// past 3 touch a few percent of the words. Owned by an AnalyzedDocument (one thread);
/// levels are computed on first request and cached until `reset`.
class NgramIndex {
 public:
  /// Start a new word list (its per-word hashes). Keeps allocated memory.
  void reset(std::span<const uint64_t> word_hashes);
  /// Return the number of words of the current list.
  std::size_t num_words() const { return num_words_; }

  /// Return, for each n-gram start i in [0, W - n], how many times the n-gram starting
  /// at i occurs in the document (1 for a unique one). Empty when W < n.
  /// `n` must be in [1, kMaxNgram].
  std::span<const uint32_t> counts(std::size_t n);
  /// Return, for each start, 1 when the same n-gram also starts at an earlier position.
  std::span<const uint8_t> repeats(std::size_t n);
  /// Return the hash identifying the n-gram at `start` (equal n-grams, equal hashes).
  uint64_t hash(std::size_t start, std::size_t n) const;

  /// Return the first start whose n-gram has the highest count (ties go to the earliest,
  /// as Python's `Counter.most_common` does); requires W >= n.
  std::size_t most_frequent(std::size_t n);

  /// Return the scratch counter, for statistics that need a set of n-gram hashes.
  FlatHashCounter& scratch_counter() { return scratch_; }

 private:
  struct Level {
    bool ready = false;
    bool unique = false;  // no n-gram repeats: counts are all 1 (served from ones_)
    std::size_t starts = 0;
    std::size_t top = 0;  // first start with the highest count
    std::vector<uint32_t> counts;
    std::vector<uint8_t> repeats;
  };
  void build(std::size_t n);
  const Level& level(std::size_t n);

  std::size_t num_words_ = 0;
  std::vector<uint64_t> prefix_;  // prefix_[j] = polynomial hash of words [0, j)
  std::vector<Level> levels_ = std::vector<Level>(kMaxNgram + 1);
  std::vector<uint32_t> ones_;  // all 1, at least num_words_ long
  std::vector<uint8_t> zeros_;  // all 0, at least num_words_ long
  std::vector<uint32_t> candidates_;
  std::vector<uint32_t> slots_;
  FlatHashCounter counter_;
  FlatHashCounter scratch_;
};

}  // namespace curate::text
