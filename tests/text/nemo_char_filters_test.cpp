// NeMo Curator's character-level rules: hand-computed statistics, both sides of each
// default threshold, and the edge cases.

#include "filter_test_util.hpp"

#include <gtest/gtest.h>

namespace curate::text {
namespace {

using testing::keeps;
using testing::repeat;
using testing::score_of;

TEST(NemoAlphaNumericTest, ScoresTheShareOutsideTheAlphanumericSet) {
  EXPECT_DOUBLE_EQ(score_of("alpha_numeric", "ab!!"), 0.0);     // ! is in [a-zA-Z0-9\n?!,.]
  EXPECT_DOUBLE_EQ(score_of("alpha_numeric", "a#b$"), 0.5);     // 2 of 4 outside
  EXPECT_DOUBLE_EQ(score_of("alpha_numeric", "a\r\nb"), 0.25);  // \r is outside, \n inside
}

TEST(NemoAlphaNumericTest, ThresholdIsInclusive) {
  EXPECT_TRUE(keeps("alpha_numeric", repeat("a", 75) + repeat("#", 25)));   // 0.25
  EXPECT_FALSE(keeps("alpha_numeric", repeat("a", 74) + repeat("#", 26)));  // 0.26
  EXPECT_TRUE(keeps("alpha_numeric", repeat("a", 60) + repeat("#", 40),
                    {{"max_non_alpha_numeric_to_text_ratio", 0.4}}));
}

TEST(NemoAlphaNumericTest, EdgeCases) {
  EXPECT_DOUBLE_EQ(score_of("alpha_numeric", ""), 1.0);  // empty: dropped, as NeMo does
  EXPECT_DOUBLE_EQ(score_of("alpha_numeric", "   "), 1.0);
  EXPECT_DOUBLE_EQ(score_of("alpha_numeric", "word"), 0.0);
  EXPECT_DOUBLE_EQ(score_of("alpha_numeric", "\u4e2d\u6587\u5b57"), 1.0);  // Chinese: 3 of 3
  EXPECT_DOUBLE_EQ(score_of("alpha_numeric", "\u0645\u0631\u062d\u0628\u0627"), 1.0);
  EXPECT_DOUBLE_EQ(score_of("alpha_numeric", "ok\U0001F600"), 1.0 / 3.0);  // the emoji is 1 char
  EXPECT_DOUBLE_EQ(score_of("alpha_numeric", "e\u0301"), 0.5);  // combining mark: its own char
}

TEST(NemoNumbersTest, ScoresAsciiDigits) {
  EXPECT_DOUBLE_EQ(score_of("numbers_ratio", "a1b2"), 0.5);
  EXPECT_DOUBLE_EQ(score_of("numbers_ratio", "\u0661\u0662\u0663"), 0.0);  // [[:digit:]] is 0-9
  EXPECT_DOUBLE_EQ(score_of("numbers_ratio", ""), 1.0);
  EXPECT_TRUE(keeps("numbers_ratio", repeat("1", 15) + repeat("a", 85)));   // 0.15
  EXPECT_FALSE(keeps("numbers_ratio", repeat("1", 16) + repeat("a", 84)));  // 0.16
}

TEST(NemoUrlsTest, ScoresCharactersInsideUrls) {
  EXPECT_DOUBLE_EQ(score_of("urls_ratio", "see http://a.com now"), 12.0 / 20.0);
  EXPECT_DOUBLE_EQ(score_of("urls_ratio", "https://x.y/z?q=1"), 1.0);
  // '#' and '"' are not URL characters in regex_url: the match stops before them.
  EXPECT_DOUBLE_EQ(score_of("urls_ratio", "http://a.b/#frag"), 11.0 / 16.0);
  EXPECT_DOUBLE_EQ(score_of("urls_ratio", "\"http://a.b\""), 10.0 / 12.0);
  EXPECT_DOUBLE_EQ(score_of("urls_ratio", "HTTP://A.COM"), 0.0);  // the pattern is case-sensitive
  EXPECT_DOUBLE_EQ(score_of("urls_ratio", "http:// x"), 0.0);     // needs one character
  EXPECT_DOUBLE_EQ(score_of("urls_ratio", "http://\u00e9"), 0.0);
  EXPECT_DOUBLE_EQ(score_of("urls_ratio", "httpss://a"), 0.0);
  EXPECT_DOUBLE_EQ(score_of("urls_ratio", "http://a http://b"), 16.0 / 17.0);
  EXPECT_DOUBLE_EQ(score_of("urls_ratio", ""), 1.0);
}

TEST(NemoUrlsTest, ThresholdIsInclusive) {
  const std::string url20 = "http://" + repeat("a", 13);
  EXPECT_TRUE(keeps("urls_ratio", url20 + " " + repeat("b", 79)));    // 20 / 100
  EXPECT_FALSE(keeps("urls_ratio", url20 + "a " + repeat("b", 78)));  // 21 / 100
}

TEST(NemoWhiteSpaceTest, ScoresTabNewlineReturnBackspaceSpace) {
  EXPECT_DOUBLE_EQ(score_of("white_space", "a b\tc\n"), 0.5);
  EXPECT_DOUBLE_EQ(score_of("white_space", "a\bb\v"), 0.25);   // \b counts, \v does not
  EXPECT_DOUBLE_EQ(score_of("white_space", "a\u00a0b"), 0.0);  // nor does NBSP
  EXPECT_DOUBLE_EQ(score_of("white_space", "a\r\nb"), 0.5);
  EXPECT_DOUBLE_EQ(score_of("white_space", "   "), 1.0);
  EXPECT_DOUBLE_EQ(score_of("white_space", ""), 1.0);
  EXPECT_TRUE(keeps("white_space", repeat(" ", 25) + repeat("a", 75)));
  EXPECT_FALSE(keeps("white_space", repeat(" ", 26) + repeat("a", 74)));
}

TEST(NemoParenthesesTest, ScoresBrackets) {
  EXPECT_DOUBLE_EQ(score_of("parentheses_ratio", "(a)[b]{c}\u27e8d\u27e9"), 8.0 / 12.0);
  EXPECT_DOUBLE_EQ(score_of("parentheses_ratio", "<a>"), 0.0);
  EXPECT_DOUBLE_EQ(score_of("parentheses_ratio", ""), 1.0);
  EXPECT_TRUE(keeps("parentheses_ratio", repeat("()", 5) + repeat("a", 90)));         // 0.10
  EXPECT_FALSE(keeps("parentheses_ratio", repeat("()", 5) + "(" + repeat("a", 89)));  // 0.11
}

}  // namespace
}  // namespace curate::text
