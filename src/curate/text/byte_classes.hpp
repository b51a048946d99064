#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace curate::text {

/// Bit masks that classify every byte of a text, 64 bytes per word, built in one SIMD
/// pass (SSE2; a scalar loop elsewhere): whitespace as Python's `str.split()` sees it
/// (multi-byte spaces such as U+00A0 included), UTF-8 continuation bytes, ASCII letters
/// and non-ASCII bytes, with running counts so that the number of any class in a byte
/// range is O(1). Word splitting, code-point lengths and "has a letter" tests read
/// these masks instead of walking bytes. Reused across documents by one
/// AnalyzedDocument (one thread); `build` allocates only when a text is the longest yet.
class ByteClassIndex {
 public:
  /// Classify `text`, which must stay alive while the index is used.
  void build(std::string_view text);

  /// Return the number of bytes classified.
  std::size_t size() const { return size_; }
  /// Return the number of 64-byte blocks (the last one may be partial).
  std::size_t blocks() const { return blocks_; }
  /// Return the whitespace bits of block `block` (bit i = byte 64 * block + i); bytes
  /// past the end of the text read as whitespace.
  uint64_t whitespace(std::size_t block) const { return whitespace_[block]; }
  /// Return true when the text has a byte >= 0x80.
  bool has_non_ascii() const { return non_ascii_total_ > 0; }

  /// Return how many continuation bytes (10xxxxxx) lie in [begin, end).
  std::size_t continuation_bytes(std::size_t begin, std::size_t end) const {
    return before(continuation_, continuation_before_, end) -
           before(continuation_, continuation_before_, begin);
  }
  /// Return true when [begin, end) holds an ASCII letter.
  bool has_ascii_letter(std::size_t begin, std::size_t end) const {
    return any(letters_, begin, end);
  }
  /// Return true when [begin, end) holds a non-ASCII byte.
  bool has_non_ascii(std::size_t begin, std::size_t end) const {
    return any(non_ascii_, begin, end);
  }

  /// Count set bits without the POPCNT instruction, which the x86-64 baseline lacks
  /// (std::popcount would call a library routine).
  static constexpr std::size_t popcount(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return static_cast<std::size_t>((x * 0x0101010101010101ULL) >> 56);
  }

 private:
  static std::size_t before(const std::vector<uint64_t>& masks, const std::vector<uint32_t>& prefix,
                            std::size_t pos) {
    const std::size_t block = pos / 64;
    const std::size_t bit = pos % 64;
    if (bit == 0) return prefix[block];
    return prefix[block] + popcount(masks[block] & ((uint64_t{1} << bit) - 1));
  }
  static bool any(const std::vector<uint64_t>& masks, std::size_t begin, std::size_t end) {
    if (begin >= end) return false;
    const std::size_t first = begin / 64;
    const std::size_t last = (end - 1) / 64;
    const uint64_t head = masks[first] >> (begin % 64);
    if (first == last) {
      const std::size_t length = end - begin;
      return (length >= 64 ? head : head & ((uint64_t{1} << length) - 1)) != 0;
    }
    if (head != 0) return true;
    for (std::size_t block = first + 1; block < last; ++block) {
      if (masks[block] != 0) return true;
    }
    const std::size_t tail = end - 64 * last;  // 1 ... 64
    return (tail == 64 ? masks[last] : masks[last] & ((uint64_t{1} << tail) - 1)) != 0;
  }

  std::size_t size_ = 0;
  std::size_t blocks_ = 0;
  std::size_t non_ascii_total_ = 0;
  std::vector<uint64_t> whitespace_;
  std::vector<uint64_t> continuation_;
  std::vector<uint64_t> letters_;
  std::vector<uint64_t> non_ascii_;
  std::vector<uint32_t> continuation_before_;  // counts before each block, plus a final total
};

}  // namespace curate::text
