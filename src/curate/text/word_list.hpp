#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace curate::text {

/// A set of words matched exactly (case-sensitive, as Python's `w in set`), tuned for
/// the short stop-word lists of the quality rules: a bit mask of word lengths rejects
/// most words before any comparison. Immutable after construction; thread-safe reads.
class WordList {
 public:
  WordList() = default;
  explicit WordList(std::vector<std::string> words) : words_(std::move(words)) {
    for (const std::string& word : words_) {
      length_mask_ |= word.size() < 64 ? (uint64_t{1} << word.size()) : (uint64_t{1} << 63);
      lookup_.insert(word);
    }
  }

  /// Return true when `word` is in the list.
  bool contains(std::string_view word) const {
    const uint64_t bit = word.size() < 64 ? (uint64_t{1} << word.size()) : (uint64_t{1} << 63);
    if ((length_mask_ & bit) == 0) return false;
    if (words_.size() <= 16) {
      for (const std::string& candidate : words_) {
        if (candidate == word) return true;
      }
      return false;
    }
    return lookup_.contains(std::string(word));
  }

  /// Return the words as given.
  const std::vector<std::string>& words() const { return words_; }

 private:
  std::vector<std::string> words_;
  std::unordered_set<std::string> lookup_;
  uint64_t length_mask_ = 0;
};

/// The stop words of Gopher and NeMo Curator's common English words:
/// the, be, to, of, and, that, have, with.
inline std::vector<std::string> default_stop_words() {
  return {"the", "be", "to", "of", "and", "that", "have", "with"};
}

}  // namespace curate::text
