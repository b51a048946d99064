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
    // Anchor on the rarest adjacent pair of bytes: two bytes rule out far more
    // positions than one ("ki" of "cookie", "rm" of "terms").
    const std::string& k = anchored.keyword;
    auto rarity = [&](std::size_t i) {
      return commonness(static_cast<unsigned char>(k[i])) +
             commonness(static_cast<unsigned char>(k[i + 1]));
    };
    single_byte_keyword_ |= k.size() < 2;
    for (std::size_t i = 1; i + 1 < k.size(); ++i) {
      if (rarity(i) < rarity(anchored.offset)) anchored.offset = i;
    }
    keywords_.push_back(std::move(anchored));
  }
  std::stable_sort(keywords_.begin(), keywords_.end(), [](const Anchored& a, const Anchored& b) {
    return static_cast<unsigned char>(a.keyword[a.offset]) <
           static_cast<unsigned char>(b.keyword[b.offset]);
  });
  for (std::size_t i = 0; i < keywords_.size(); ++i) {
    const auto byte = static_cast<unsigned char>(keywords_[i].keyword[keywords_[i].offset]);
    if (first_[byte] == last_[byte]) first_[byte] = static_cast<uint16_t>(i);
    last_[byte] = static_cast<uint16_t>(i + 1);
    if (!single_byte_keyword_) {
      const auto next = static_cast<unsigned char>(keywords_[i].keyword[keywords_[i].offset + 1]);
      if (std::find(anchors_.begin(), anchors_.end(), std::make_pair(byte, next)) ==
          anchors_.end()) {
        anchors_.emplace_back(byte, next);
      }
    }
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
  // Find anchor pairs 16 positions at a time. A letter matches both cases: OR-ing 0x20
  // maps only 'K' and 'k' to 'k'. Other bytes compare as they are.
  constexpr std::size_t kMaxVectorAnchors = 16;
  if (!single_byte_keyword_ && anchors_.size() <= kMaxVectorAnchors) {
    __m128i firsts[kMaxVectorAnchors], seconds[kMaxVectorAnchors];
    bool first_letter[kMaxVectorAnchors], second_letter[kMaxVectorAnchors];
    for (std::size_t a = 0; a < anchors_.size(); ++a) {
      firsts[a] = _mm_set1_epi8(static_cast<char>(anchors_[a].first));
      seconds[a] = _mm_set1_epi8(static_cast<char>(anchors_[a].second));
      first_letter[a] = anchors_[a].first >= 'a' && anchors_[a].first <= 'z';
      second_letter[a] = anchors_[a].second >= 'a' && anchors_[a].second <= 'z';
    }
    const __m128i case_bit = _mm_set1_epi8(0x20);
    for (; i + 17 <= text.size(); i += 16) {
      const __m128i here = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
      const __m128i next = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i + 1));
      const __m128i here_folded = _mm_or_si128(here, case_bit);
      const __m128i next_folded = _mm_or_si128(next, case_bit);
      __m128i hits = _mm_setzero_si128();
      for (std::size_t a = 0; a < anchors_.size(); ++a) {
        hits = _mm_or_si128(
            hits, _mm_and_si128(_mm_cmpeq_epi8(first_letter[a] ? here_folded : here, firsts[a]),
                                _mm_cmpeq_epi8(second_letter[a] ? next_folded : next, seconds[a])));
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
