#include "curate/text/keyword_set.hpp"

#include "curate/text/unicode_text.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace curate::text {
namespace {

// Rank of a byte by how often it appears in English text (lower is rarer); the rarest
// byte of a keyword makes the fewest false candidates during a scan.
int commonness(unsigned char c) {
  static constexpr std::string_view kLettersByFrequency = "zqxjkvbpygfwmucldrhsnioate";
  const auto pos = kLettersByFrequency.find(static_cast<char>(c));
  if (pos != std::string_view::npos) return static_cast<int>(pos);
  if (c == ' ' || c == '.' || c == ',') return 100;  // very common separators
  return 30;                                         // digits and other punctuation
}

}  // namespace

KeywordSet::KeywordSet(const std::vector<std::string>& keywords) {
  if (keywords.size() >= 0xFFFF) throw std::invalid_argument("too many keywords in one KeywordSet");
  for (const std::string& keyword : keywords) {
    if (keyword.empty()) throw std::invalid_argument("a keyword may not be empty");
    Anchored anchored{std::string(keyword.size(), '\0'), 0};
    std::transform(keyword.begin(), keyword.end(), anchored.keyword.begin(), ascii_lower);
    for (std::size_t i = 1; i < anchored.keyword.size(); ++i) {
      const auto candidate = static_cast<unsigned char>(anchored.keyword[i]);
      const auto current = static_cast<unsigned char>(anchored.keyword[anchored.offset]);
      if (commonness(candidate) < commonness(current)) anchored.offset = i;
    }
    keywords_.push_back(std::move(anchored));
  }
  std::stable_sort(keywords_.begin(), keywords_.end(), [](const Anchored& a, const Anchored& b) {
    return static_cast<unsigned char>(a.keyword[a.offset]) <
           static_cast<unsigned char>(b.keyword[b.offset]);
  });
  for (std::size_t i = 0; i < keywords_.size(); ++i) {
    const auto byte = static_cast<unsigned char>(keywords_[i].keyword[keywords_[i].offset]);
    if (first_[byte] == last_[byte]) {
      first_[byte] = static_cast<uint16_t>(i);
      anchors_.push_back(byte);
    }
    last_[byte] = static_cast<uint16_t>(i + 1);
  }
}

bool KeywordSet::matches_at(const Anchored& anchored, std::string_view text,
                            std::size_t anchor) const {
  if (anchor < anchored.offset) return false;
  const std::size_t start = anchor - anchored.offset;
  if (start + anchored.keyword.size() > text.size()) return false;
  for (std::size_t k = 0; k < anchored.keyword.size(); ++k) {
    if (ascii_lower(text[start + k]) != anchored.keyword[k]) return false;
  }
  return true;
}

bool KeywordSet::matches_any_at(std::string_view text, std::size_t anchor) const {
  const auto byte = static_cast<unsigned char>(ascii_lower(text[anchor]));
  for (uint16_t k = first_[byte]; k < last_[byte]; ++k) {
    if (matches_at(keywords_[k], text, anchor)) return true;
  }
  return false;
}

bool KeywordSet::contains_any(std::string_view text) const {
  if (keywords_.empty()) return false;
  std::size_t i = 0;
#if defined(__SSE2__)
  // Find anchor bytes 16 at a time. A letter anchor matches both cases: OR-ing 0x20 maps
  // only 'K' and 'k' to 'k'. Other anchors compare as they are.
  constexpr std::size_t kMaxVectorAnchors = 8;
  if (anchors_.size() <= kMaxVectorAnchors) {
    __m128i needles[kMaxVectorAnchors];
    bool letter[kMaxVectorAnchors];
    for (std::size_t a = 0; a < anchors_.size(); ++a) {
      needles[a] = _mm_set1_epi8(static_cast<char>(anchors_[a]));
      letter[a] = anchors_[a] >= 'a' && anchors_[a] <= 'z';
    }
    const __m128i case_bit = _mm_set1_epi8(0x20);
    for (; i + 16 <= text.size(); i += 16) {
      const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
      const __m128i folded = _mm_or_si128(bytes, case_bit);
      __m128i hits = _mm_setzero_si128();
      for (std::size_t a = 0; a < anchors_.size(); ++a) {
        hits = _mm_or_si128(hits, _mm_cmpeq_epi8(letter[a] ? folded : bytes, needles[a]));
      }
      for (auto mask = static_cast<uint32_t>(_mm_movemask_epi8(hits)); mask != 0;
           mask &= mask - 1) {
        if (matches_any_at(text, i + static_cast<std::size_t>(std::countr_zero(mask)))) return true;
      }
    }
  }
#endif
  for (; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(ascii_lower(text[i]));
    if (first_[byte] != last_[byte] && matches_any_at(text, i)) return true;
  }
  return false;
}

}  // namespace curate::text
