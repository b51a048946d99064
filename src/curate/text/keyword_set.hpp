#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace curate::text {

/// A fixed set of keywords found in text with ASCII letters compared case-insensitively
/// (what `p in text.lower()` does for ASCII keywords). Each keyword is anchored on its
/// rarest pair of adjacent bytes, found 16 positions at a time with SSE2, so a scan
/// checks candidates only where such a pair occurs. Immutable after
/// construction; `contains_any` may run on many threads at once.
class KeywordSet {
 public:
  KeywordSet() = default;
  /// Build the set; keywords are matched as given, with ASCII letters in any case.
  explicit KeywordSet(const std::vector<std::string>& keywords);

  /// Return true when `text` contains at least one keyword.
  bool contains_any(std::string_view text) const;
  /// Return the number of keywords.
  std::size_t size() const { return keywords_.size(); }

 private:
  struct Anchored {
    std::string keyword;  // ASCII-lower-cased
    std::size_t offset;   // position of the anchor pair in `keyword`
  };
  bool matches_at(const Anchored& anchored, std::string_view text, std::size_t anchor) const;
  bool matches_any_at(std::string_view text, std::size_t anchor) const;

  std::vector<Anchored> keywords_;
  // For each lower-cased byte, the range [first, last) of `keywords_` anchored on it.
  std::array<uint16_t, 256> first_{};
  std::array<uint16_t, 256> last_{};
  std::vector<std::pair<unsigned char, unsigned char>> anchors_;  // distinct anchor pairs
  bool single_byte_keyword_ = false;  // a 1-byte keyword has no pair: scan byte by byte
};

}  // namespace curate::text
