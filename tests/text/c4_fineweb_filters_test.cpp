// C4 and FineWeb quality rules (datatrove): hand-computed statistics, both sides of each
// default threshold, the rewritten text of the C4 line rules, and the edge cases.

#include "filter_test_util.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace curate::text {
namespace {

using testing::join;
using testing::keeps;
using testing::make;
using testing::repeat;
using testing::score_of;

std::string rewrite(const std::string& text,
                    const nlohmann::json& params = nlohmann::json::object()) {
  const FilterPtr filter = make("c4_lines", params);
  AnalyzedDocument document;
  document.reset(text);
  std::string out;
  filter->rewrite(document, out);
  return out;
}

TEST(C4LinesTest, KeepsOnlyLinesThatPassEveryLineRule) {
  const std::string text =
      "Short line.\n"                   // 2 words
      "This line has no punctuation\n"  // no terminal punctuation
      "This line is fine and good.\n"
      "Please enable JavaScript to view.\n"      // javascript
      "Read our privacy policy here now.\n"      // policy phrase
      "Ellipsis lines end like this...\n"        // ends with "..."
      "A citation here.[1] is removed[edit].\n"  // citations removed, then kept
      "  Another good line, with words!  ";
  EXPECT_EQ(
      rewrite(text),
      "This line is fine and good.\nA citation here. is removed.\nAnother good line, with words!");
  EXPECT_DOUBLE_EQ(score_of("c4_lines", text), 5.0);  // the score is the number of lines removed
  EXPECT_TRUE(make("c4_lines")->keep(5.0));           // the line rules never drop a document
}

TEST(C4LinesTest, WordLengthAndWordCountBounds) {
  const std::string long_word = repeat("x", 1000);
  EXPECT_EQ(rewrite("Has a " + long_word + " word."), "Has a " + long_word + " word.");
  EXPECT_EQ(rewrite("Has a " + long_word + "x word."), "");
  EXPECT_EQ(rewrite("Two words."), "");
  EXPECT_EQ(rewrite("Three words here."), "Three words here.");
  EXPECT_EQ(rewrite("Two words.", {{"min_words_per_line", 2}}), "Two words.");
  EXPECT_EQ(rewrite("No end mark here", {{"filter_no_terminal_punct", false}}), "No end mark here");
}

TEST(C4LinesTest, DocumentRuleLinesSurviveLaterLineRules) {
  // datatrove checks "lorem ipsum" before "javascript", and "{" before the policy phrases.
  EXPECT_EQ(rewrite("Lorem ipsum with javascript text."), "Lorem ipsum with javascript text.");
  EXPECT_EQ(rewrite("A {brace} and a privacy policy."), "A {brace} and a privacy policy.");
  EXPECT_EQ(rewrite("A {brace} and javascript here."), "");
}

TEST(C4LinesTest, EdgeCases) {
  EXPECT_EQ(rewrite(""), "");
  EXPECT_EQ(rewrite("   \n\t"), "");
  EXPECT_EQ(rewrite("One two three.\r\nFour five six.\r\n"), "One two three.\nFour five six.");
  EXPECT_EQ(rewrite("\u4e2d\u6587\u53e5\u5b50\u3002"), "");  // one word, and 。 is not terminal
  EXPECT_EQ(rewrite("Caf\u00e9 cre\u0300me br\u00fbl\u00e9e \U0001F600."),
            "Caf\u00e9 cre\u0300me br\u00fbl\u00e9e \U0001F600.");
}

TEST(C4DocumentRulesTest, LoremIpsumAndCurlyBracket) {
  EXPECT_DOUBLE_EQ(score_of("c4_lorem_ipsum", "Some LOREM IPSUM text"), 1.0);
  EXPECT_FALSE(keeps("c4_lorem_ipsum", "lorem ipsum"));
  EXPECT_TRUE(keeps("c4_lorem_ipsum", "lorem, ipsum"));
  EXPECT_DOUBLE_EQ(score_of("c4_curly_bracket", "a { b {"), 2.0);
  EXPECT_FALSE(keeps("c4_curly_bracket", "x{"));
  EXPECT_TRUE(keeps("c4_curly_bracket", "x}"));
}

TEST(C4DocumentRulesTest, CountsSentencesPerLine) {
  EXPECT_DOUBLE_EQ(score_of("c4_min_sentences", "One. Two. Three.\nFour! Five?"), 5.0);
  EXPECT_TRUE(keeps("c4_min_sentences", "One. Two. Three.\nFour! Five?"));
  EXPECT_FALSE(keeps("c4_min_sentences", "One. Two. Three.\nFour!"));
  EXPECT_DOUBLE_EQ(score_of("c4_min_sentences", "e.g. this is one."), 1.0);  // lower case continues
  EXPECT_DOUBLE_EQ(score_of("c4_min_sentences", ""), 0.0);
  EXPECT_DOUBLE_EQ(
      score_of("c4_min_sentences", "\u4eca\u5929\u5f88\u597d\u3002\u660e\u5929\u89c1\uff01"), 2.0);
  EXPECT_TRUE(keeps("c4_min_sentences", "", {{"min_num_sentences", -1}}));
}

TEST(C4DocumentRulesTest, BadWordsMatchWholeWords) {
  const nlohmann::json params = {{"words", {"bad", "very bad"}}};
  EXPECT_DOUBLE_EQ(score_of("c4_bad_words", "This is BAD!", params), 1.0);
  EXPECT_DOUBLE_EQ(score_of("c4_bad_words", "A badge.", params), 0.0);
  // Matches are counted per start position: "very bad" and the "bad" inside it, then "bad".
  EXPECT_DOUBLE_EQ(score_of("c4_bad_words", "very bad, bad", params), 3.0);
  EXPECT_DOUBLE_EQ(score_of("c4_bad_words", "A badge.",
                            {{"words", {"bad"}}, {"require_word_boundaries", false}}),
                   1.0);
  EXPECT_THROW(make("c4_bad_words"), std::invalid_argument);  // no list given
}

TEST(FineWebLinePunctuationTest, RatioMustBeAboveThreshold) {
  EXPECT_DOUBLE_EQ(score_of("fineweb_line_punct_ratio", "A.\nB\nC!"), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(score_of("fineweb_line_punct_ratio", "A.\n"), 0.5);      // split("\n"): "A.", ""
  EXPECT_DOUBLE_EQ(score_of("fineweb_line_punct_ratio", "A. \nB."), 0.5);   // not stripped
  EXPECT_DOUBLE_EQ(score_of("fineweb_line_punct_ratio", "A.\r\nB."), 1.0);  // CRLF as LF
  EXPECT_FALSE(keeps("fineweb_line_punct_ratio", "a\nb"));
  EXPECT_TRUE(keeps("fineweb_line_punct_ratio", "a\nb", {{"line_punct_exclude_zero", true}}));
  auto lines = [](int ending, int total) {
    std::vector<std::string> all(static_cast<std::size_t>(total - ending), "plain");
    for (int i = 0; i < ending; ++i) all.push_back("ends.");
    return join(all, "\n");
  };
  EXPECT_FALSE(keeps("fineweb_line_punct_ratio", lines(12, 100)));  // 0.12 is not above 0.12
  EXPECT_TRUE(keeps("fineweb_line_punct_ratio", lines(13, 100)));
  EXPECT_FALSE(keeps("fineweb_line_punct_ratio", ""));
}

TEST(FineWebShortLineTest, RatioMustBeBelowThreshold) {
  const std::string long_line = repeat("y", 31);
  EXPECT_DOUBLE_EQ(score_of("fineweb_short_line_ratio", repeat("x", 30) + "\n" + long_line), 0.5);
  EXPECT_DOUBLE_EQ(score_of("fineweb_short_line_ratio", repeat("\u00e9", 31)), 0.0);  // code points
  auto lines = [&](int short_lines, int total) {
    std::vector<std::string> all(static_cast<std::size_t>(total - short_lines), long_line);
    for (int i = 0; i < short_lines; ++i) all.push_back("short");
    return join(all, "\n");
  };
  EXPECT_TRUE(keeps("fineweb_short_line_ratio", lines(66, 100)));
  EXPECT_FALSE(keeps("fineweb_short_line_ratio", lines(67, 100)));  // 0.67 is not below 0.67
  EXPECT_FALSE(keeps("fineweb_short_line_ratio", ""));              // one empty line: 1.0
}

TEST(FineWebCharDuplicateTest, RatioMustBeBelowThreshold) {
  EXPECT_DOUBLE_EQ(score_of("fineweb_char_dup_ratio", "abc\ndef\nabc"), 3.0 / 9.0);
  EXPECT_DOUBLE_EQ(score_of("fineweb_char_dup_ratio", "abc\n\n\nabd"), 0.0);  // blank lines ignored
  EXPECT_TRUE(keeps("fineweb_char_dup_ratio", "x\n" + repeat("u", 99) + "\nx"));   // 1 / 101
  EXPECT_FALSE(keeps("fineweb_char_dup_ratio", "x\n" + repeat("u", 98) + "\nx"));  // 1 / 100
  EXPECT_TRUE(std::isnan(score_of("fineweb_char_dup_ratio", "\n\n")));
}

TEST(FineWebListRatioTest, NewlinesPerToken) {
  EXPECT_DOUBLE_EQ(score_of("fineweb_list_ratio", "a\nb\nc"), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(score_of("fineweb_list_ratio", "one two three"), 0.0);
  EXPECT_TRUE(std::isnan(score_of("fineweb_list_ratio", "\n")));
  EXPECT_TRUE(keeps("fineweb_list_ratio", repeat("w w w\n", 1) + "w w w w w w w"));  // 1 / 10
  EXPECT_TRUE(keeps("fineweb_list_ratio", "w w w\nw w w\nw w w w"));                 // 2 / 10
  EXPECT_TRUE(keeps("fineweb_list_ratio", "w w\nw w w\nw w w\nw w"));                // 3 / 10
  EXPECT_FALSE(keeps("fineweb_list_ratio", "w w\nw w w\nw w w\nw\nw"));              // 4 / 10
}

}  // namespace
}  // namespace curate::text
