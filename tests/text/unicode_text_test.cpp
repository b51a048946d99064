#include "curate/text/unicode_text.hpp"

#include <gtest/gtest.h>

namespace curate::text {
namespace {

TEST(UnicodeTextTest, DecodesEveryEncodingLength) {
  const std::string text = "a\u00e9\u4e2d\U0001F600";
  std::size_t pos = 0;
  EXPECT_EQ(decode_utf8(text, pos), U'a');
  EXPECT_EQ(pos, 1u);
  EXPECT_EQ(decode_utf8(text, pos), U'\u00e9');
  EXPECT_EQ(pos, 3u);
  EXPECT_EQ(decode_utf8(text, pos), U'\u4e2d');
  EXPECT_EQ(pos, 6u);
  EXPECT_EQ(decode_utf8(text, pos), U'\U0001F600');
  EXPECT_EQ(pos, 10u);
}

TEST(UnicodeTextTest, InvalidBytesDecodeToReplacementOneByteAtATime) {
  const std::string bad = "\xC3(\xE2\x82\xF0\x9F\x98\xED\xA0\x80\xC0\xAF";
  std::size_t pos = 0;
  EXPECT_EQ(decode_utf8(bad, pos), kReplacementCharacter);  // C3 then '(' is not a continuation
  EXPECT_EQ(pos, 1u);
  EXPECT_EQ(decode_utf8(bad, pos), U'(');
  EXPECT_EQ(decode_utf8(bad, pos), kReplacementCharacter);  // truncated 3-byte sequence
  EXPECT_EQ(pos, 3u);
  while (pos < bad.size()) decode_utf8(bad, pos);  // surrogate and overlong never overrun
  EXPECT_EQ(pos, bad.size());
}

TEST(UnicodeTextTest, CountsCodePointsLikePythonLen) {
  EXPECT_EQ(count_code_points(""), 0u);
  EXPECT_EQ(count_code_points("abc"), 3u);
  EXPECT_EQ(count_code_points("\u4e2d\u6587"), 2u);  // len("中文") == 2
  EXPECT_EQ(count_code_points("e\u0301"), 2u);       // combining acute is its own code point
  EXPECT_EQ(count_code_points("\U0001F44D\U0001F3FD"), 2u);  // thumbs up + skin tone
}

TEST(UnicodeTextTest, DetectsAscii) {
  EXPECT_TRUE(is_ascii(""));
  EXPECT_TRUE(is_ascii("plain text with 17 bytes ~"));
  EXPECT_FALSE(is_ascii("0123456789abcdef\u00e9"));  // non-ASCII past the 8-byte blocks
  EXPECT_FALSE(is_ascii("\u00e9"));
}

TEST(UnicodeTextTest, WhitespaceIsPythons) {
  for (char32_t c :
       {U'\t', U'\n', U'\v', U'\f', U'\r', U'\x1c', U'\x1f', U' ', U'\u0085', U'\u00a0', U'\u1680',
        U'\u2000', U'\u200a', U'\u2028', U'\u2029', U'\u202f', U'\u205f', U'\u3000'}) {
    EXPECT_TRUE(is_python_whitespace(c)) << static_cast<uint32_t>(c);
  }
  for (char32_t c : {U'a', U'\b', U'\u200b', U'\ufeff', U'\u180e'}) {
    EXPECT_FALSE(is_python_whitespace(c)) << static_cast<uint32_t>(c);
  }
}

TEST(UnicodeTextTest, StripsLikePython) {
  EXPECT_EQ(strip("  a b \n"), "a b");
  EXPECT_EQ(strip("\u00a0\u3000word\u2029"), "word");
  EXPECT_EQ(lstrip("\t x "), "x ");
  EXPECT_EQ(rstrip(" x\r\n"), " x");
  EXPECT_EQ(strip(" \n\t "), "");
  EXPECT_EQ(strip(""), "");
  EXPECT_EQ(rstrip("caf\u00e9"), "caf\u00e9");  // a non-space multibyte character stays
}

TEST(UnicodeTextTest, LetterAndAlphabeticFollowTheirDefinitions) {
  EXPECT_TRUE(contains_letter("abc1"));
  EXPECT_TRUE(contains_letter("\u0645\u0631\u062d\u0628\u0627"));  // Arabic
  EXPECT_TRUE(contains_letter("\u4e2d"));
  EXPECT_FALSE(contains_letter("123!?"));
  EXPECT_FALSE(contains_letter("\U0001F600"));
  // U+0345 (a combining mark) is Alphabetic but not a letter.
  EXPECT_TRUE(contains_alphabetic("\u0345"));
  EXPECT_FALSE(contains_letter("\u0345"));
  EXPECT_TRUE(is_decimal_digit(U'\u0663'));  // Arabic-Indic three
  EXPECT_FALSE(is_decimal_digit(U'x'));
}

TEST(UnicodeTextTest, LowersAndComparesAsciiCaseInsensitively) {
  std::string lowered;
  lower_into("HeLLo \u00c9T\u00c9", lowered);
  EXPECT_EQ(lowered, "hello \u00e9t\u00e9");
  EXPECT_TRUE(ends_with_ascii_ci("Click to READ MORE", "read more"));
  EXPECT_FALSE(ends_with_ascii_ci("more", "read more"));
  EXPECT_EQ(find_ascii_ci("Some JavaScript here", "javascript"), 5u);
  EXPECT_EQ(find_ascii_ci("short", "javascript"), std::string_view::npos);
}

}  // namespace
}  // namespace curate::text
