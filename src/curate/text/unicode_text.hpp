#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace curate::text {

/// The code point that replaces each byte of an invalid UTF-8 sequence.
inline constexpr char32_t kReplacementCharacter = 0xFFFD;

/// Decode the code point that starts at `text[pos]` and advance `pos` past it. An
/// invalid or truncated sequence decodes to U+FFFD and advances one byte, so bad UTF-8
/// never stops a scan. Pure function; callable from any thread.
char32_t decode_utf8(std::string_view text, std::size_t& pos);

/// Append the UTF-8 encoding of `code_point` to `out`.
void append_utf8(char32_t code_point, std::string& out);

/// Return true when every byte of `text` is below 0x80. Reads eight bytes at a time.
bool is_ascii(std::string_view text);

/// Return the number of code points in `text` (Python's `len`): bytes that are not
/// UTF-8 continuation bytes. Invalid sequences count one per lead byte.
std::size_t count_code_points(std::string_view text);

/// Return true for the characters Python's `str.isspace` and `str.split()` treat as
/// whitespace (ASCII 0x09-0x0D, 0x1C-0x20, U+0085, U+00A0, U+1680, U+2000-U+200A,
/// U+2028, U+2029, U+202F, U+205F, U+3000).
bool is_python_whitespace(char32_t code_point);

/// Return the byte length of the whitespace character at `text[pos]`, or 0 when the
/// character there is not whitespace (Python's definition, see above).
std::size_t whitespace_length_at(std::string_view text, std::size_t pos);

/// Strip leading and trailing whitespace as Python's `str.strip()` does.
std::string_view strip(std::string_view text);
/// Strip leading whitespace as Python's `str.lstrip()` does.
std::string_view lstrip(std::string_view text);
/// Strip trailing whitespace as Python's `str.rstrip()` does.
std::string_view rstrip(std::string_view text);

/// Return true for a letter (general category L*): Python's `str.isalpha` per character.
bool is_letter(char32_t code_point);
/// Return true for the Unicode Alphabetic property: the `regex` module's [[:alpha:]].
bool is_alphabetic(char32_t code_point);
/// Return true for a decimal digit (general category Nd): Python's `\d` in `re`.
bool is_decimal_digit(char32_t code_point);

/// Return true when `text` contains a letter (Python `any(c.isalpha() for c in w)`).
bool contains_letter(std::string_view text);
/// Return true when `text` contains an Alphabetic character (`regex_alpha.search`).
bool contains_alphabetic(std::string_view text);

/// Return the ASCII lower-case form of `c`; other bytes are unchanged.
constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
/// Write `text` lower-cased to `out` (cleared first): ASCII letters by table, other
/// characters with ICU's simple lower-case mapping (close to Python's `str.lower`).
void lower_into(std::string_view text, std::string& out);
/// Return true when `text` ends with `suffix`, comparing ASCII letters case-insensitively.
bool ends_with_ascii_ci(std::string_view text, std::string_view suffix);
/// Return the position of the first ASCII-case-insensitive occurrence of `needle`
/// (given in lower case) in `haystack`, or npos.
std::size_t find_ascii_ci(std::string_view haystack, std::string_view needle);

}  // namespace curate::text
