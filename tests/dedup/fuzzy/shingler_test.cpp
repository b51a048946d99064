#include "curate/dedup/fuzzy/shingler.hpp"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace curate::dedup {
namespace {

using Strings = std::vector<std::string>;

std::vector<uint64_t> expected_hashes(const Strings& shingles, uint64_t seed = 0) {
  std::vector<uint64_t> out;
  for (const std::string& shingle : shingles) {
    out.push_back(XXH3_64bits_withSeed(shingle.data(), shingle.size(), seed));
  }
  return out;
}

ShingleOptions words(int n) {
  ShingleOptions options;
  options.kind = ShingleKind::kWord;
  options.n = n;
  return options;
}

ShingleOptions chars(int n) {
  ShingleOptions options;
  options.kind = ShingleKind::kChar;
  options.n = n;
  return options;
}

class ShinglerTest : public ::testing::Test {
 protected:
  std::vector<uint64_t> run(ShingleOptions options, std::string_view text) {
    Shingler shingler(options);
    shingler.hashes(text, out_);
    normalized_ = std::string(shingler.normalized_text());
    return out_;
  }
  std::vector<uint64_t> out_;
  std::string normalized_;
};

TEST_F(ShinglerTest, WordShinglesAreNConsecutiveWordsJoinedByOneSpace) {
  EXPECT_EQ(run(words(5), "Hello, World! foo bar baz qux"),
            expected_hashes({"hello world foo bar baz", "world foo bar baz qux"}));
  EXPECT_EQ(normalized_, "hello world foo bar baz qux");
  EXPECT_EQ(run(words(2), "a b c"), expected_hashes({"a b", "b c"}));
  EXPECT_EQ(run(words(1), "a b a"), expected_hashes({"a", "b", "a"}));  // repeats kept
}

TEST_F(ShinglerTest, ExactlyNWordsGiveOneShingle) {
  EXPECT_EQ(run(words(3), "one two three"), expected_hashes({"one two three"}));
}

TEST_F(ShinglerTest, ShortTextGivesTheWholeNormalisedText) {
  EXPECT_EQ(run(words(5), "  Only THREE words. "), expected_hashes({"only three words"}));
  EXPECT_EQ(run(chars(24), "Short  text"), expected_hashes({"short text"}));
}

TEST_F(ShinglerTest, EmptyTextGivesOneEmptyShingle) {
  EXPECT_EQ(run(words(5), ""), expected_hashes({""}));
  EXPECT_EQ(run(words(5), "  \t\n "), expected_hashes({""}));
  EXPECT_EQ(run(words(5), "!!! ,,, ..."), expected_hashes({""}));  // punctuation only
  EXPECT_EQ(run(chars(3), ""), expected_hashes({""}));
  EXPECT_EQ(run(chars(3), " \n\t "), expected_hashes({""}));
}

TEST_F(ShinglerTest, AsciiPunctuationSeparatesWords) {
  EXPECT_EQ(run(words(2), "don't stop-now"), expected_hashes({"don t", "t stop", "stop now"}));
  EXPECT_EQ(run(words(2), "a,b;c"), expected_hashes({"a b", "b c"}));
  // Every one of the 32 ASCII punctuation characters.
  EXPECT_EQ(run(words(1), "x!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~y"), expected_hashes({"x", "y"}));
}

TEST_F(ShinglerTest, WhitespaceRunsCollapse) {
  EXPECT_EQ(run(words(2), "  a\t\tb\n\n\r\nc  "), expected_hashes({"a b", "b c"}));
  run(chars(1), "  a \t\n b  ");
  EXPECT_EQ(normalized_, "a b");
  EXPECT_EQ(out_, expected_hashes({"a", " ", "b"}));
  // Unicode whitespace: no-break space U+00A0, ideographic space U+3000.
  EXPECT_EQ(run(words(1), "a\u00A0b\u3000c"), expected_hashes({"a", "b", "c"}));
  run(chars(1), "a\u00A0\u00A0b");
  EXPECT_EQ(normalized_, "a b");
}

TEST_F(ShinglerTest, CharShinglesCountCodePointsNotBytes) {
  EXPECT_EQ(run(chars(3), "Hello  World"),
            expected_hashes({"hel", "ell", "llo", "lo ", "o w", " wo", "wor", "orl", "rld"}));
  // é is two bytes, 日本 three each: shingles cut at code points.
  EXPECT_EQ(run(chars(2), "h\u00E9llo"), expected_hashes({"h\u00E9", "\u00E9l", "ll", "lo"}));
  EXPECT_EQ(run(chars(2), "\u65E5\u672C\u8A9E"), expected_hashes({"\u65E5\u672C", "\u672C\u8A9E"}));
  EXPECT_EQ(run(chars(4), "\u00E9\u00E9\u00E9"), expected_hashes({"\u00E9\u00E9\u00E9"}));
  // A four-byte character (U+1F600) is one code point.
  EXPECT_EQ(run(chars(1), "a\U0001F600b"), expected_hashes({"a", "\U0001F600", "b"}));
}

TEST_F(ShinglerTest, CharShinglesKeepPunctuation) {
  EXPECT_EQ(run(chars(2), "a,b"), expected_hashes({"a,", ",b"}));
}

TEST_F(ShinglerTest, LowerCaseIsUnicodeAware) {
  run(words(5), "\u00C9COLE Stra\u00DFe \u0391\u0392\u0393");  // ÉCOLE Straße ΑΒΓ
  EXPECT_EQ(normalized_, "\u00E9cole stra\u00DFe \u03B1\u03B2\u03B3");
  run(chars(5), "MiXeD \u00C0");
  EXPECT_EQ(normalized_, "mixed \u00E0");
}

TEST_F(ShinglerTest, DigitsOption) {
  ShingleOptions options = words(1);
  run(options, "Call 555-1234 now");
  EXPECT_EQ(normalized_, "call 555 1234 now");
  options.normalize_digits = true;
  run(options, "Call 555-1234 now \u0663");  // ARABIC-INDIC DIGIT THREE is a digit too
  EXPECT_EQ(normalized_, "call 000 0000 now 0");
  ShingleOptions char_options = chars(3);
  char_options.normalize_digits = true;
  run(char_options, "a1b2");
  EXPECT_EQ(normalized_, "a0b0");
}

TEST_F(ShinglerTest, DiacriticsOption) {
  ShingleOptions options = words(5);
  run(options, "Caf\u00E9 na\u00EFve");
  EXPECT_EQ(normalized_, "caf\u00E9 na\u00EFve");
  options.strip_diacritics = true;
  run(options, "Caf\u00E9 na\u00EFve \u00C9T\u00C9 e\u0301");  // precomposed and combining
  EXPECT_EQ(normalized_, "cafe naive ete e");
  run(options, "plain ascii");
  EXPECT_EQ(normalized_, "plain ascii");
  ShingleOptions char_options = chars(2);
  char_options.strip_diacritics = true;
  EXPECT_EQ(run(char_options, "\u00E9t\u00E9"), expected_hashes({"et", "te"}));
}

TEST_F(ShinglerTest, InvalidUtf8ReadsAsReplacementCharacter) {
  EXPECT_EQ(run(chars(1),
                "a\xFF"
                "b"),
            expected_hashes({"a", "\uFFFD", "b"}));
  EXPECT_EQ(run(words(1), "a\xC3"), expected_hashes({"a\uFFFD"}));  // truncated sequence
}

TEST_F(ShinglerTest, SeedChangesEveryHash) {
  ShingleOptions options = words(2);
  options.seed = 42;
  EXPECT_EQ(run(options, "a b c"), expected_hashes({"a b", "b c"}, 42));
  EXPECT_NE(run(options, "a b c"), expected_hashes({"a b", "b c"}, 0));
}

TEST_F(ShinglerTest, RejectsShingleSizeBelowOne) {
  EXPECT_THROW(Shingler(words(0)), std::invalid_argument);
  EXPECT_THROW(Shingler(chars(-1)), std::invalid_argument);
}

TEST_F(ShinglerTest, HashSetIsSortedAndUnique) {
  Shingler shingler(words(1));
  std::vector<uint64_t> set;
  shingler.hash_set("b a b a c a", set);
  std::vector<uint64_t> expected = expected_hashes({"a", "b", "c"});
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(set, expected);
}

TEST_F(ShinglerTest, BuffersAreReusedAcrossDocumentsOfAnySize) {
  Shingler shingler(chars(4));
  std::vector<uint64_t> out;
  std::string long_text;
  for (int i = 0; i < 2000; ++i) long_text += "word\u00E9 ";
  shingler.hashes(long_text, out);
  EXPECT_EQ(out.size(), 2000u * 6 - 1 - 4 + 1);  // 6 code points per "wordé " minus the last space
  shingler.hashes("tiny", out);
  EXPECT_EQ(out, expected_hashes({"tiny"}));
  shingler.hashes("ab cd", out);
  EXPECT_EQ(out, expected_hashes({"ab c", "b cd"}));
  Shingler word_shingler(words(2));
  word_shingler.hashes(long_text, out);
  EXPECT_EQ(out.size(), 1999u);
  word_shingler.hashes("x y", out);
  EXPECT_EQ(out, expected_hashes({"x y"}));
}

// A plain reference for ASCII text: the fast paths (eight bytes at a time, branch-free
// collapsing) must agree with it on every mix of letters, capitals, digits and whitespace.
std::string reference_normalize(std::string_view text, bool words, bool digits) {
  std::string out;
  bool separated = true;
  for (const char raw : text) {
    char c = raw;
    const bool space = c == ' ' || (c >= '\t' && c <= '\r');
    const bool punct = std::ispunct(static_cast<unsigned char>(c)) != 0;
    if (space || (words && punct)) {
      separated = true;
      continue;
    }
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (digits && c >= '0' && c <= '9') c = '0';
    if (separated && !out.empty()) out.push_back(' ');
    separated = false;
    out.push_back(c);
  }
  return out;
}

TEST_F(ShinglerTest, AsciiFastPathsMatchAPlainReference) {
  std::mt19937_64 random(3);
  const std::string alphabet = "abcxyzAZ09 \t\n\r.,!";
  for (int trial = 0; trial < 3000; ++trial) {
    std::string text;
    const std::size_t length = random() % 40;
    for (std::size_t i = 0; i < length; ++i) {
      // Mostly plain letters and single spaces, as in prose, so chunks of eight occur.
      text.push_back(random() % 3 != 0 ? "etaoin s"[random() % 8]
                                       : alphabet[random() % alphabet.size()]);
    }
    for (const bool words_kind : {false, true}) {
      for (const bool digits : {false, true}) {
        ShingleOptions options = words_kind ? words(2) : chars(3);
        options.normalize_digits = digits;
        run(options, text);
        ASSERT_EQ(normalized_, reference_normalize(text, words_kind, digits))
            << "text '" << text << "' words " << words_kind << " digits " << digits;
      }
    }
  }
}

}  // namespace
}  // namespace curate::dedup
