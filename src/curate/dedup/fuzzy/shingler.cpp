#include "curate/dedup/fuzzy/shingler.hpp"

#define XXH_INLINE_ALL
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace curate::dedup {
namespace {

bool is_ascii_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// The C locale's ispunct(), written out so no locale can change it.
bool is_ascii_punct(unsigned char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
         (c >= '{' && c <= '~');
}

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHigh = 0x8080808080808080ULL;
constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL;

// Per byte of an ASCII word: the high bit set where the byte is in (low, high).
constexpr uint64_t bytes_between(uint64_t x, uint64_t low, uint64_t high) {
  return (kOnes * (127 + high) - (x & kLow7)) & ~x & ((x & kLow7) + kOnes * (127 - low)) & kHigh;
}
// Per byte: the high bit set exactly where the byte is zero.
constexpr uint64_t zero_bytes(uint64_t x) { return ~(((x & kLow7) + kLow7) | x | kLow7); }

// Return true when the eight bytes of `chunk` (in text order, little-endian) are written
// unchanged by char normalisation: ASCII, no capital, no whitespace but single spaces
// that do not follow a separator, no digit when digits are normalised. For English text
// most chunks qualify, so the byte loop runs about once per sentence start or newline.
bool copies_as_is(uint64_t chunk, bool after_separator, bool normalize_digits) {
  const uint64_t spaces = zero_bytes(chunk ^ (kOnes * ' '));
  uint64_t bad = (chunk & kHigh) | bytes_between(chunk, 'A' - 1, 'Z' + 1) |
                 bytes_between(chunk, '\t' - 1, '\r' + 1) | (spaces & (spaces << 8));
  if (normalize_digits) bad |= bytes_between(chunk, '0' - 1, '9' + 1);
  if (after_separator) bad |= spaces & 0x80;
  return bad == 0;
}

bool is_ascii(std::string_view text) {
  const char* p = text.data();
  std::size_t size = text.size();
  uint64_t any = 0;
  for (; size >= 8; p += 8, size -= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    any |= word;
  }
  for (; size > 0; ++p, --size) any |= static_cast<unsigned char>(*p);
  return (any & 0x8080808080808080ULL) == 0;
}

// Appends ICU's UTF-8 output to a std::string that keeps its capacity between documents.
class AppendSink : public icu::ByteSink {
 public:
  explicit AppendSink(std::string& out) : out_(out) {}
  void Append(const char* bytes, int32_t n) override {
    out_.append(bytes, static_cast<std::size_t>(n));
  }

 private:
  std::string& out_;
};

const icu::Normalizer2& nfd() {
  static const icu::Normalizer2* instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* found = icu::Normalizer2::getNFDInstance(status);
    if (U_FAILURE(status) || found == nullptr) {
      throw std::runtime_error(std::string("ICU NFD normaliser unavailable: ") +
                               u_errorName(status) + "; check the ICU data library");
    }
    return found;
  }();
  return *instance;
}

// Hash every window of `n` bytes. With a compile-time N, XXH3's length dispatch folds
// away and the hash of each window is straight-line code.
template <std::size_t N>
__attribute__((flatten)) void hash_windows(const char* base, std::size_t bytes, uint64_t seed,
                                           uint64_t* dest, std::size_t n = N) {
  const std::size_t width = N != 0 ? N : n;
  for (std::size_t i = 0; i + width <= bytes; ++i) {
    dest[i] = XXH3_64bits_withSeed(base + i, width, seed);
  }
}

}  // namespace

Shingler::Shingler(ShingleOptions options) : options_(options) {
  if (options_.n < 1) {
    throw std::invalid_argument("shingle size n must be at least 1 (got " +
                                std::to_string(options_.n) + ")");
  }
  const bool words = options_.kind == ShingleKind::kWord;
  for (int c = 0; c < 128; ++c) {
    const auto byte = static_cast<unsigned char>(c);
    uint8_t mapped = byte;
    if (c >= 'A' && c <= 'Z') mapped = static_cast<uint8_t>(c - 'A' + 'a');
    if (options_.normalize_digits && c >= '0' && c <= '9') mapped = '0';
    if (is_ascii_space(byte) || (words && is_ascii_punct(byte))) mapped = kSeparator;
    ascii_map_[c] = mapped;
  }
}

template <typename T>
T* Shingler::Buffer<T>::reserve(std::size_t size) {
  if (size > capacity_) {
    capacity_ = std::max(size, capacity_ * 2);
    data_ = std::make_unique_for_overwrite<T[]>(capacity_);
  }
  return data_.get();
}

// One pass, branch-free on ASCII: every byte is written (a separator as ' ') and the
// write position advances unless the byte is a separator following a separator, so
// whitespace runs collapse and leading ones vanish; a trailing one is dropped at the end.
// Word starts are recorded the same way: at a character that follows a separator.
void Shingler::normalize(std::string_view text) {
  if (options_.strip_diacritics && !is_ascii(text)) {
    decomposed_.clear();
    AppendSink sink(decomposed_);
    UErrorCode status = U_ZERO_ERROR;
    nfd().normalizeUTF8(0, icu::StringPiece(text.data(), static_cast<int32_t>(text.size())), sink,
                        nullptr, status);
    if (U_SUCCESS(status)) text = decomposed_;
  }
  if (text.size() > kMaxTextBytes) {
    throw std::invalid_argument("text of " + std::to_string(text.size()) +
                                " bytes is too long to shingle (limit " +
                                std::to_string(kMaxTextBytes) + "); split the document");
  }
  const bool words = options_.kind == ShingleKind::kWord;
  const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
  const std::size_t size = text.size();
  // Lower-casing can lengthen a character, and U+FFFD replaces one bad byte by three.
  char* out = text_.reserve(3 * size + U8_MAX_LENGTH);
  // Word starts, or (for hash_chars) code point starts plus the end: every input code
  // point gives at most one output code point, so size + 1 entries always suffice.
  uint32_t* starts = starts_.reserve(size + 2);
  std::size_t o = 0;
  std::size_t w = 0;
  bool after_separator = true;
  bool ascii_only = true;
  std::size_t i = 0;
  while (i < size) {
    // Char shingles: eight bytes at a time while they need no change (see copies_as_is).
    if (!words) {
      while (i + 8 <= size) {
        uint64_t chunk;
        std::memcpy(&chunk, bytes + i, 8);
        if (!copies_as_is(chunk, after_separator, options_.normalize_digits)) break;
        std::memcpy(out + o, &chunk, 8);
        i += 8;
        o += 8;
        after_separator = (chunk >> 56) == ' ';
      }
    }
    for (const std::size_t end = std::min(size, i + 8); i < end && bytes[i] < 0x80;) {
      const uint8_t mapped = ascii_map_[bytes[i++]];
      const bool separator = mapped == kSeparator;
      out[o] = separator ? ' ' : static_cast<char>(mapped);
      if (words) {
        starts[w] = static_cast<uint32_t>(o);
        w += !separator && after_separator;
      }
      o += !(separator && after_separator);
      after_separator = separator;
    }
    if (i >= size) break;
    if (bytes[i] < 0x80) continue;  // eight ASCII bytes done: try a chunk again
    UChar32 c;
    auto index = static_cast<int32_t>(i);
    U8_NEXT(bytes, index, static_cast<int32_t>(size), c);
    i = static_cast<std::size_t>(index);
    if (c < 0) c = 0xFFFD;
    if (u_isUWhiteSpace(c)) {
      out[o] = ' ';
      o += !after_separator;
      after_separator = true;
      continue;
    }
    if (options_.strip_diacritics && u_charType(c) == U_NON_SPACING_MARK) continue;
    c = u_tolower(c);
    if (options_.normalize_digits && u_isdigit(c)) c = '0';
    if (words && after_separator) starts[w++] = static_cast<uint32_t>(o);
    after_separator = false;
    ascii_only = ascii_only && c < 0x80;
    int32_t length = 0;
    U8_APPEND_UNSAFE(reinterpret_cast<uint8_t*>(out + o), length, c);
    o += static_cast<std::size_t>(length);
  }
  if (after_separator && o > 0) --o;
  text_size_ = o;
  starts_size_ = w;
  ascii_only_ = ascii_only;
}

__attribute__((flatten)) void Shingler::hash_words(std::vector<uint64_t>& out) const {
  const char* base = text_.data();
  const uint32_t* starts = starts_.data();
  const auto n = static_cast<std::size_t>(options_.n);
  const std::size_t count = starts_size_;
  if (count < n) {
    out.push_back(XXH3_64bits_withSeed(base, text_size_, options_.seed));
    return;
  }
  out.resize(count - n + 1);
  uint64_t* dest = out.data();
  // Shingle i spans word i to word i+n-1: it ends one separator before word i+n starts.
  for (std::size_t i = 0; i + n < count; ++i) {
    const uint32_t begin = starts[i];
    dest[i] = XXH3_64bits_withSeed(base + begin, starts[i + n] - 1 - begin, options_.seed);
  }
  const uint32_t last = starts[count - n];
  dest[count - n] = XXH3_64bits_withSeed(base + last, text_size_ - last, options_.seed);
}

__attribute__((flatten)) void Shingler::hash_chars(std::vector<uint64_t>& out) {
  const char* base = text_.data();
  const auto n = static_cast<std::size_t>(options_.n);
  const std::size_t bytes = text_size_;
  if (ascii_only_) {
    starts_size_ = bytes;
    if (bytes <= n) {
      out.push_back(XXH3_64bits_withSeed(base, bytes, options_.seed));
      return;
    }
    out.resize(bytes - n + 1);
    if (n == 24) {
      hash_windows<24>(base, bytes, options_.seed, out.data());  // NeMo Curator's default
    } else {
      hash_windows<0>(base, bytes, options_.seed, out.data(), n);
    }
    return;
  }
  uint32_t* starts = starts_.data();  // sized by normalize()
  std::size_t count = 0;
  for (std::size_t i = 0; i < bytes; ++i) {
    starts[count] = static_cast<uint32_t>(i);
    count += (static_cast<unsigned char>(base[i]) & 0xC0) != 0x80;
  }
  starts[count] = static_cast<uint32_t>(bytes);  // the end of the last code point
  starts_size_ = count;
  if (count <= n) {
    out.push_back(XXH3_64bits_withSeed(base, bytes, options_.seed));
    return;
  }
  out.resize(count - n + 1);
  uint64_t* dest = out.data();
  for (std::size_t i = 0; i + n <= count; ++i) {
    dest[i] = XXH3_64bits_withSeed(base + starts[i], starts[i + n] - starts[i], options_.seed);
  }
}
void Shingler::hashes(std::string_view text, std::vector<uint64_t>& out) {
  out.clear();
  normalize(text);
  if (options_.kind == ShingleKind::kWord) {
    hash_words(out);
  } else {
    hash_chars(out);
  }
}

void Shingler::hash_set(std::string_view text, std::vector<uint64_t>& out) {
  hashes(text, out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

}  // namespace curate::dedup
