// NeMo Curator's line- and paragraph-level rules: hand-computed statistics, both sides
// of each default threshold, and the edge cases.

#include "filter_test_util.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace curate::text {
namespace {

using testing::join;
using testing::keeps;
using testing::repeat;
using testing::score_of;

std::vector<std::string> numbered(const std::string& stem, int count) {
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) out.push_back(stem + std::to_string(i));
  return out;
}

TEST(NemoBoilerplateTest, ScoresParagraphsWithPolicyPhrases) {
  EXPECT_DOUBLE_EQ(score_of("boilerplate_string_ratio",
                            "Read our privacy policy.\n\nSome text here.\n\nMore text."),
                   1.0 / 3.0);
  // "We use cookies" holds "use cookies"; case does not matter.
  EXPECT_DOUBLE_EQ(
      score_of("boilerplate_string_ratio", "TERMS OF USE apply.\n\nWe use cookies.\n\nText."),
      2.0 / 3.0);
  EXPECT_DOUBLE_EQ(score_of("boilerplate_string_ratio", "Intro.\n\nLorem Ipsum dolor sit."), 1.0);
  // A single "\n" does not separate paragraphs.
  EXPECT_DOUBLE_EQ(score_of("boilerplate_string_ratio", "privacy policy\ntext"), 1.0);
  EXPECT_DOUBLE_EQ(score_of("boilerplate_string_ratio", ""), 0.0);  // one empty paragraph
  EXPECT_DOUBLE_EQ(score_of("boilerplate_string_ratio", "\u4e2d\u6587"), 0.0);
}

TEST(NemoBoilerplateTest, ThresholdIsInclusive) {
  auto document = [](int policy, int plain) {
    std::vector<std::string> paragraphs(static_cast<std::size_t>(policy), "See the cookie policy.");
    for (const std::string& p : numbered("Plain paragraph ", plain)) paragraphs.push_back(p);
    return join(paragraphs, "\n\n");
  };
  EXPECT_TRUE(keeps("boilerplate_string_ratio", document(2, 3)));   // 0.4
  EXPECT_FALSE(keeps("boilerplate_string_ratio", document(3, 4)));  // 0.43
}

TEST(NemoRepeatedLinesTest, ScoresUniqueLineFraction) {
  EXPECT_DOUBLE_EQ(score_of("repeated_lines", "a\nb\na\nc"), 0.75);
  EXPECT_DOUBLE_EQ(score_of("repeated_lines", "a\n\n \na"), 0.5);  // blank lines are not lines
  EXPECT_DOUBLE_EQ(score_of("repeated_lines", "a\r\nb\r\na"), 2.0 / 3.0);
  EXPECT_TRUE(std::isnan(score_of("repeated_lines", "")));
  EXPECT_TRUE(std::isnan(score_of("repeated_lines", " \n\t")));
  EXPECT_FALSE(keeps("repeated_lines", ""));
  EXPECT_DOUBLE_EQ(score_of("repeated_lines", "one line, no newline"), 1.0);
  auto lines = [](int unique, int copies) {
    std::vector<std::string> all = numbered("line ", unique);
    for (int i = 0; i < copies; ++i) all.push_back("line 0");
    return join(all, "\n");
  };
  EXPECT_TRUE(keeps("repeated_lines", lines(7, 3)));   // 7 / 10
  EXPECT_FALSE(keeps("repeated_lines", lines(6, 4)));  // 6 / 10
}

TEST(NemoRepeatedParagraphsTest, ScoresUniqueParagraphFraction) {
  EXPECT_DOUBLE_EQ(score_of("repeated_paragraphs", "p1\n\np2\n\np1"), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(score_of("repeated_paragraphs", "x\n\n\n\ny\n\n"), 0.75);  // "x", "", "y", ""
  EXPECT_DOUBLE_EQ(score_of("repeated_paragraphs", ""), 1.0);
  auto paragraphs = [](int unique, int copies) {
    std::vector<std::string> all = numbered("paragraph ", unique);
    for (int i = 0; i < copies; ++i) all.push_back("paragraph 1");
    return join(all, "\n\n");
  };
  EXPECT_TRUE(keeps("repeated_paragraphs", paragraphs(7, 3)));
  EXPECT_FALSE(keeps("repeated_paragraphs", paragraphs(6, 4)));
}

TEST(NemoRepeatedLinesCharTest, ScoresUniqueCharacterFraction) {
  EXPECT_DOUBLE_EQ(score_of("repeated_lines_char", "aaaa\nbb\naaaa"), 0.6);  // 6 of 10
  EXPECT_TRUE(keeps("repeated_lines_char", "abcdef\ngh\ngh"));               // 8 / 10 = 0.8
  EXPECT_FALSE(keeps("repeated_lines_char", "abcde\ngh\ngh"));               // 7 / 9
  EXPECT_TRUE(std::isnan(score_of("repeated_lines_char", "")));
  // Characters are code points: "中文" twice and "字" -> 3 of 5.
  EXPECT_DOUBLE_EQ(score_of("repeated_lines_char", "\u4e2d\u6587\n\u4e2d\u6587\n\u5b57"), 0.6);
}

TEST(NemoRepeatedParagraphsCharTest, ScoresUniqueCharacterFraction) {
  EXPECT_DOUBLE_EQ(score_of("repeated_paragraphs_char", "aaaa\n\nbb\n\naaaa"), 0.6);
  EXPECT_TRUE(keeps("repeated_paragraphs_char", "abcdef\n\ngh\n\ngh"));
  EXPECT_FALSE(keeps("repeated_paragraphs_char", "abcde\n\ngh\n\ngh"));
  EXPECT_TRUE(std::isnan(score_of("repeated_paragraphs_char", "\n\n")));  // "" and "": 0 / 0
}

TEST(NemoPunctuationTest, ScoresLinesWithoutEndMark) {
  EXPECT_DOUBLE_EQ(score_of("punctuation", "A.\nB\nC!\nD"), 0.5);
  EXPECT_DOUBLE_EQ(score_of("punctuation", "Quote\"  \nIt's'\nWhat?\t"), 0.0);  // stripped first
  EXPECT_DOUBLE_EQ(score_of("punctuation", "Windows line.\r\nNo mark\r\n"), 0.5);
  EXPECT_DOUBLE_EQ(score_of("punctuation", "\u4e2d\u6587\u3002"), 1.0);  // 。 is not an end mark
  EXPECT_TRUE(std::isnan(score_of("punctuation", "")));
  auto lines = [](int without, int with) {
    std::vector<std::string> all(static_cast<std::size_t>(without), "no mark");
    for (int i = 0; i < with; ++i) all.push_back("marked.");
    return join(all, "\n");
  };
  EXPECT_TRUE(keeps("punctuation", lines(17, 3)));   // 0.85
  EXPECT_FALSE(keeps("punctuation", lines(18, 2)));  // 0.9
}

TEST(NemoEllipsisTest, ScoresLinesEndingWithAnEllipsisMark) {
  EXPECT_DOUBLE_EQ(score_of("ellipsis", "Wait...\nRead More\nok"), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(score_of("ellipsis", "a\u2026\nb [\u2026]\nc -\u00bb\nd (...)\ne"), 0.8);
  EXPECT_DOUBLE_EQ(score_of("ellipsis", "read more.."), 1.0);
  EXPECT_TRUE(std::isnan(score_of("ellipsis", "   ")));
  auto lines = [](int ellipsis, int plain) {
    std::vector<std::string> all(static_cast<std::size_t>(ellipsis), "and so on...");
    for (int i = 0; i < plain; ++i) all.push_back("done.");
    return join(all, "\n");
  };
  EXPECT_TRUE(keeps("ellipsis", lines(3, 7)));
  EXPECT_FALSE(keeps("ellipsis", lines(4, 6)));
}

TEST(NemoBulletsTest, ScoresLinesStartingWithABullet) {
  EXPECT_DOUBLE_EQ(score_of("bullet_ratio", "\u2022 a\n\u25cf b\nc"), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(score_of("bullet_ratio", "- a\n* b"), 0.0);  // not in NeMo's bullet list
  EXPECT_DOUBLE_EQ(score_of("bullet_ratio", "  \u2022 indented"), 1.0);
  EXPECT_TRUE(std::isnan(score_of("bullet_ratio", "")));
  auto lines = [](int bullets, int plain) {
    std::vector<std::string> all(static_cast<std::size_t>(bullets), "\u2023 item");
    for (int i = 0; i < plain; ++i) all.push_back("text");
    return join(all, "\n");
  };
  EXPECT_TRUE(keeps("bullet_ratio", lines(9, 1)));    // 0.9
  EXPECT_FALSE(keeps("bullet_ratio", lines(10, 0)));  // 1.0
}

}  // namespace
}  // namespace curate::text
