#include "curate/text/byte_classes.hpp"

#include "curate/text/unicode_text.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace curate::text {
namespace {

struct BlockMasks {
  uint64_t whitespace = 0;
  uint64_t continuation = 0;
  uint64_t letters = 0;
  uint64_t non_ascii = 0;
};

#if defined(__SSE2__)
// x <= limit as unsigned bytes: min(x, limit) == x.
inline __m128i at_most(__m128i x, uint8_t limit) {
  return _mm_cmpeq_epi8(_mm_min_epu8(x, _mm_set1_epi8(static_cast<char>(limit))), x);
}

inline uint64_t bits(__m128i mask) { return static_cast<uint16_t>(_mm_movemask_epi8(mask)); }

BlockMasks classify(const char* p) {
  BlockMasks masks;
  for (int part = 0; part < 4; ++part) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * part));
    // Python's ASCII whitespace: 0x09-0x0D and 0x1C-0x20.
    const __m128i space = _mm_or_si128(at_most(_mm_sub_epi8(bytes, _mm_set1_epi8(0x09)), 4),
                                       at_most(_mm_sub_epi8(bytes, _mm_set1_epi8(0x1C)), 4));
    const __m128i continuation =
        _mm_cmpeq_epi8(_mm_and_si128(bytes, _mm_set1_epi8(static_cast<char>(0xC0))),
                       _mm_set1_epi8(static_cast<char>(0x80)));
    const __m128i letter =
        at_most(_mm_sub_epi8(_mm_or_si128(bytes, _mm_set1_epi8(0x20)), _mm_set1_epi8('a')), 25);
    const int shift = 16 * part;
    masks.whitespace |= bits(space) << shift;
    masks.continuation |= bits(continuation) << shift;
    masks.letters |= bits(letter) << shift;
    masks.non_ascii |= bits(bytes) << shift;  // movemask reads the top bit of each byte
  }
  // A non-ASCII byte b with (b | 0x20) in a..z would pass the letter test: clear those.
  masks.letters &= ~masks.non_ascii;
  return masks;
}
#else
BlockMasks classify(const char* p) {
  BlockMasks masks;
  for (int i = 0; i < 64; ++i) {
    const auto b = static_cast<unsigned char>(p[i]);
    const uint64_t bit = uint64_t{1} << i;
    if ((b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x20)) masks.whitespace |= bit;
    if ((b & 0xC0) == 0x80) masks.continuation |= bit;
    if (b < 0x80 && (b | 0x20) >= 'a' && (b | 0x20) <= 'z') masks.letters |= bit;
    if (b >= 0x80) masks.non_ascii |= bit;
  }
  return masks;
}
#endif

}  // namespace

void ByteClassIndex::build(std::string_view text) {
  size_ = text.size();
  blocks_ = (size_ + 63) / 64;
  whitespace_.resize(blocks_);
  continuation_.resize(blocks_);
  letters_.resize(blocks_);
  non_ascii_.resize(blocks_);
  continuation_before_.resize(blocks_ + 1);
  uint32_t continuation = 0;
  uint64_t non_ascii = 0;
  for (std::size_t block = 0; block < blocks_; ++block) {
    const std::size_t offset = 64 * block;
    const std::size_t length = std::min<std::size_t>(64, size_ - offset);
    BlockMasks masks;
    if (length == 64) {
      masks = classify(text.data() + offset);
    } else {
      char tail[64] = {};
      std::memcpy(tail, text.data() + offset, length);
      masks = classify(tail);
      const uint64_t valid = (uint64_t{1} << length) - 1;
      masks.whitespace |= ~valid;  // past the end reads as whitespace: the last word ends
      masks.continuation &= valid;
      masks.letters &= valid;
      masks.non_ascii &= valid;
    }
    whitespace_[block] = masks.whitespace;
    continuation_[block] = masks.continuation;
    letters_[block] = masks.letters;
    non_ascii_[block] = masks.non_ascii;
    continuation_before_[block] = continuation;
    continuation += static_cast<uint32_t>(popcount(masks.continuation));
    non_ascii |= masks.non_ascii;
  }
  continuation_before_[blocks_] = continuation;
  non_ascii_total_ = non_ascii != 0 ? 1 : 0;
  if (non_ascii_total_ == 0) return;
  // Multi-byte whitespace (U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028/9, U+202F,
  // U+205F, U+3000) starts with one of four lead bytes; mark each such character.
  for (std::size_t block = 0; block < blocks_; ++block) {
    for (uint64_t high = non_ascii_[block]; high != 0; high &= high - 1) {
      const std::size_t pos = 64 * block + static_cast<std::size_t>(std::countr_zero(high));
      const auto lead = static_cast<unsigned char>(text[pos]);
      if (lead != 0xC2 && lead != 0xE1 && lead != 0xE2 && lead != 0xE3) continue;
      const std::size_t length = whitespace_length_at(text, pos);
      for (std::size_t k = pos; k < pos + length; ++k)
        whitespace_[k / 64] |= uint64_t{1} << (k % 64);
    }
  }
}

}  // namespace curate::text
