#include "curate/text/unicode_text.hpp"

#include <unicode/uchar.h>

#include <array>
#include <cstring>

namespace curate::text {
namespace {

// Python's ASCII whitespace: \t \n \v \f \r, the four information separators, space.
constexpr std::array<bool, 128> make_ascii_space() {
  std::array<bool, 128> table{};
  for (int c = 0x09; c <= 0x0D; ++c) table[c] = true;
  for (int c = 0x1C; c <= 0x20; ++c) table[c] = true;
  return table;
}
constexpr auto kAsciiSpace = make_ascii_space();

constexpr bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

char32_t decode_utf8(std::string_view text, std::size_t& pos) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  const unsigned char lead = bytes[pos];
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  std::size_t length = 0;
  char32_t value = 0;
  char32_t minimum = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, value = lead & 0x1F, minimum = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, value = lead & 0x0F, minimum = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, value = lead & 0x07, minimum = 0x10000;
  } else {
    ++pos;
    return kReplacementCharacter;
  }
  if (pos + length > size) {
    ++pos;
    return kReplacementCharacter;
  }
  for (std::size_t i = 1; i < length; ++i) {
    if (!is_continuation(bytes[pos + i])) {
      ++pos;
      return kReplacementCharacter;
    }
    value = (value << 6) | (bytes[pos + i] & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not characters.
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    ++pos;
    return kReplacementCharacter;
  }
  pos += length;
  return value;
}

void append_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool is_ascii(std::string_view text) {
  const char* p = text.data();
  std::size_t n = text.size();
  uint64_t any = 0;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    any |= word;
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    any |= static_cast<unsigned char>(*p++);
    --n;
  }
  return (any & 0x8080808080808080ULL) == 0;
}

std::size_t count_code_points(std::string_view text) {
  std::size_t continuation = 0;
  for (char c : text) continuation += is_continuation(static_cast<unsigned char>(c)) ? 1 : 0;
  return text.size() - continuation;
}

bool is_python_whitespace(char32_t cp) {
  if (cp < 128) return kAsciiSpace[cp];
  switch (cp) {
    case 0x85:
    case 0xA0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

std::size_t whitespace_length_at(std::string_view text, std::size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) return kAsciiSpace[lead] ? 1 : 0;
  // Only these lead bytes begin a non-ASCII whitespace character; skip decoding others.
  if (lead != 0xC2 && lead != 0xE1 && lead != 0xE2 && lead != 0xE3) return 0;
  std::size_t next = pos;
  const char32_t cp = decode_utf8(text, next);
  return is_python_whitespace(cp) ? next - pos : 0;
}

std::string_view lstrip(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t length = whitespace_length_at(text, pos);
    if (length == 0) break;
    pos += length;
  }
  return text.substr(pos);
}

std::string_view rstrip(std::string_view text) {
  std::size_t end = text.size();
  while (end > 0) {
    const auto last = static_cast<unsigned char>(text[end - 1]);
    if (last < 0x80) {
      if (!kAsciiSpace[last]) break;
      --end;
      continue;
    }
    // Walk back to the lead byte of the final character (at most 3 continuations).
    std::size_t start = end - 1;
    while (start > 0 && end - start < 4 &&
           is_continuation(static_cast<unsigned char>(text[start]))) {
      --start;
    }
    if (whitespace_length_at(text, start) != end - start) break;
    end = start;
  }
  return text.substr(0, end);
}

std::string_view strip(std::string_view text) { return rstrip(lstrip(text)); }

bool is_letter(char32_t cp) {
  if (cp < 128) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
  return u_isalpha(static_cast<UChar32>(cp)) != 0;
}

bool is_alphabetic(char32_t cp) {
  if (cp < 128) return (cp | 0x20) >= 'a' && (cp | 0x20) <= 'z';
  return u_isUAlphabetic(static_cast<UChar32>(cp)) != 0;
}

bool is_decimal_digit(char32_t cp) {
  if (cp < 128) return cp >= '0' && cp <= '9';
  return u_charType(static_cast<UChar32>(cp)) == U_DECIMAL_DIGIT_NUMBER;
}

namespace {

template <typename Predicate>
bool contains_char(std::string_view text, Predicate predicate) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      if ((byte | 0x20) >= 'a' && (byte | 0x20) <= 'z') return true;
      ++pos;
      continue;
    }
    if (predicate(decode_utf8(text, pos))) return true;
  }
  return false;
}

}  // namespace

bool contains_letter(std::string_view text) {
  return contains_char(text, [](char32_t cp) { return is_letter(cp); });
}

bool contains_alphabetic(std::string_view text) {
  return contains_char(text, [](char32_t cp) { return is_alphabetic(cp); });
}

void lower_into(std::string_view text, std::string& out) {
  out.clear();
  out.reserve(text.size());
  std::size_t pos = 0;
  while (pos < text.size()) {
    const char c = text[pos];
    if (static_cast<unsigned char>(c) < 0x80) {
      out.push_back(ascii_lower(c));
      ++pos;
      continue;
    }
    const std::size_t start = pos;
    const char32_t cp = decode_utf8(text, pos);
    if (cp == kReplacementCharacter) {
      out.append(text.substr(start, pos - start));  // keep bad bytes as they were
    } else {
      append_utf8(static_cast<char32_t>(u_tolower(static_cast<UChar32>(cp))), out);
    }
  }
}

bool ends_with_ascii_ci(std::string_view text, std::string_view suffix) {
  if (suffix.size() > text.size()) return false;
  const std::string_view tail = text.substr(text.size() - suffix.size());
  for (std::size_t i = 0; i < suffix.size(); ++i) {
    if (ascii_lower(tail[i]) != ascii_lower(suffix[i])) return false;
  }
  return true;
}

std::size_t find_ascii_ci(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return 0;
  if (needle.size() > haystack.size()) return std::string_view::npos;
  const char first = needle[0];
  const std::size_t last_start = haystack.size() - needle.size();
  for (std::size_t i = 0; i <= last_start; ++i) {
    if (ascii_lower(haystack[i]) != first) continue;
    std::size_t k = 1;
    while (k < needle.size() && ascii_lower(haystack[i + k]) == needle[k]) ++k;
    if (k == needle.size()) return i;
  }
  return std::string_view::npos;
}

}  // namespace curate::text
