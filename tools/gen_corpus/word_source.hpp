#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "random.hpp"

namespace curate::tools {

/// A ranked vocabulary with a Zipf-Mandelbrot word draw.
///
/// Rank 0..k-1 are English stop words in frequency order ("the", "of", "and", ...);
/// the dictionary words follow in a fixed pseudo-random order that does not depend
/// on --seed, so corpora of different seeds share word statistics. Rank r is drawn
/// with weight 1 / (r + 1.5): the stop words then make up about 40% of the running
/// words and "the" about 6%, close to real English.
class WordSource {
 public:
  /// Read the word list at `path`: one word per line; only lines made of ASCII
  /// letters a-z (so no capitals, apostrophes or accents) are kept. Throws
  /// std::runtime_error naming the file when it cannot be read or keeps under 100
  /// words. Called once at start-up.
  static WordSource load(const std::filesystem::path& path);

  /// Build the vocabulary from `words` (already filtered); used by load() and tests.
  explicit WordSource(std::vector<std::string> words);

  /// Draw one word, lowercase. Const and allocation-free, so callable from any
  /// thread with that thread's own Random.
  std::string_view draw(Random& random) const {
    // One table read gives the word: no second, cache-missing look-up in offsets_.
    const std::uint32_t entry = table_[random.below(table_.size())];
    return {chars_.data() + (entry >> kLengthBits), entry & ((1U << kLengthBits) - 1)};
  }

  /// Return the word of rank `rank` (< size()).
  std::string_view word(std::uint32_t rank) const {
    return {chars_.data() + offsets_[rank], offsets_[rank + 1] - offsets_[rank]};
  }

  /// Return the number of distinct words, stop words included.
  std::size_t size() const { return offsets_.size() - 1; }

 private:
  static constexpr unsigned kLengthBits = 6;  // words are at most 40 bytes

  std::string chars_;                   // all words back to back
  std::vector<std::uint32_t> offsets_;  // word r is chars_[offsets_[r], offsets_[r+1])
  // Word r as (offset << kLengthBits | length), repeated in proportion to its weight.
  std::vector<std::uint32_t> table_;
};

}  // namespace curate::tools
