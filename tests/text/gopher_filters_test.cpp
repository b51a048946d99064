// Gopher quality and repetition rules (datatrove): hand-computed statistics, both sides
// of each default threshold, and the edge cases. Tokens are UAX #29 word segments.

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

std::string tokens(std::size_t count, const std::string& word = "word") {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += (i ? " " : "") + word;
  return out;
}

TEST(GopherWordCountTest, CountsTokensThatAreNotOnlyPunctuation) {
  // Tokens: Hello , world ! . . . 「 」 -- only two carry a non-punctuation character.
  EXPECT_DOUBLE_EQ(score_of("gopher_word_count", "Hello, world!... \u300c\u300d"), 2.0);
  EXPECT_DOUBLE_EQ(score_of("gopher_word_count", "It's 3.5 km."), 3.0);
  EXPECT_DOUBLE_EQ(score_of("gopher_word_count", ""), 0.0);
  EXPECT_TRUE(keeps("gopher_word_count", tokens(50)));
  EXPECT_FALSE(keeps("gopher_word_count", tokens(49) + " ."));
  EXPECT_TRUE(keeps("gopher_word_count", tokens(100000, "a")));
  EXPECT_FALSE(keeps("gopher_word_count", tokens(100001, "a")));
}

TEST(GopherMeanWordLengthTest, AveragesNonPunctuationTokens) {
  EXPECT_DOUBLE_EQ(score_of("gopher_mean_word_length", "Hello, world!"), 5.0);
  EXPECT_DOUBLE_EQ(score_of("gopher_mean_word_length", "ab, abcd"), 3.0);
  EXPECT_TRUE(std::isnan(score_of("gopher_mean_word_length", "!!")));
  EXPECT_TRUE(keeps("gopher_mean_word_length", "abc abc."));  // 3, the '.' does not count
  EXPECT_FALSE(keeps("gopher_mean_word_length", "abc ab"));   // 2.5
  EXPECT_TRUE(keeps("gopher_mean_word_length", repeat("a", 10)));
  EXPECT_FALSE(keeps("gopher_mean_word_length", repeat("a", 11)));
}

TEST(GopherHashToWordTest, CountsHashesPerToken) {
  EXPECT_DOUBLE_EQ(score_of("gopher_hash_to_word", "#a #b c d"), 2.0 / 6.0);  // # a # b c d
  EXPECT_TRUE(std::isnan(score_of("gopher_hash_to_word", "")));
  EXPECT_TRUE(keeps("gopher_hash_to_word", tokens(9) + " #"));      // 1 / 10
  EXPECT_FALSE(keeps("gopher_hash_to_word", tokens(17) + " # #"));  // 2 / 19
}

TEST(GopherEllipsisToWordTest, CountsEllipsesPerToken) {
  // Tokens: wait . . . what … ok -> 7; one "..." and one "…".
  EXPECT_DOUBLE_EQ(score_of("gopher_ellipsis_to_word", "wait... what\u2026 ok"), 2.0 / 7.0);
  EXPECT_TRUE(keeps("gopher_ellipsis_to_word", tokens(9) + "\u2026"));          // 10 tokens, 1
  EXPECT_FALSE(keeps("gopher_ellipsis_to_word", tokens(17) + "\u2026\u2026"));  // 19 tokens, 2
}

TEST(GopherBulletLinesTest, ScoresLinesStartingWithBulletOrDash) {
  EXPECT_DOUBLE_EQ(score_of("gopher_bullet_lines", "\u2022 a\n - b\nc\n"),
                   2.0 / 3.0);  // splitlines
  EXPECT_TRUE(std::isnan(score_of("gopher_bullet_lines", "")));
  auto lines = [](int bullets, int plain) {
    std::vector<std::string> all(static_cast<std::size_t>(bullets), "- item");
    for (int i = 0; i < plain; ++i) all.push_back("text");
    return join(all, "\n");
  };
  EXPECT_TRUE(keeps("gopher_bullet_lines", lines(9, 1)));
  EXPECT_FALSE(keeps("gopher_bullet_lines", lines(10, 0)));
}

TEST(GopherEllipsisLinesTest, ScoresLinesEndingWithAnEllipsis) {
  EXPECT_DOUBLE_EQ(score_of("gopher_ellipsis_lines", "a... \nb\u2026\nc"), 2.0 / 3.0);
  auto lines = [](int ellipsis, int plain) {
    std::vector<std::string> all(static_cast<std::size_t>(ellipsis), "more...");
    for (int i = 0; i < plain; ++i) all.push_back("done.");
    return join(all, "\n");
  };
  EXPECT_TRUE(keeps("gopher_ellipsis_lines", lines(3, 7)));
  EXPECT_FALSE(keeps("gopher_ellipsis_lines", lines(4, 6)));
}

TEST(GopherAlphaWordsTest, ScoresTokensWithALetter) {
  EXPECT_DOUBLE_EQ(score_of("gopher_alpha_words", "abc 123 !"), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(score_of("gopher_alpha_words", "\u0645\u0631\u062d\u0628\u0627 \U0001F600"),
                   0.5);
  EXPECT_TRUE(keeps("gopher_alpha_words", tokens(8) + " 1 2"));
  EXPECT_FALSE(keeps("gopher_alpha_words", tokens(7) + " 1 2 3"));
}

TEST(GopherStopWordsTest, CountsStopWordTokens) {
  EXPECT_DOUBLE_EQ(score_of("gopher_stop_words", "the, and The to."),
                   3.0);  // punctuation split off
  EXPECT_DOUBLE_EQ(score_of("gopher_stop_words", "le chat", {{"stop_words", {"le", "la"}}}), 1.0);
  EXPECT_TRUE(keeps("gopher_stop_words", "to be"));
  EXPECT_FALSE(keeps("gopher_stop_words", "to bee"));
}

TEST(GopherRepetitionTest, ParagraphFractions) {
  // Paragraphs p1 p2 p1: one duplicate of 3; its 2 characters of len(text) == 10.
  EXPECT_DOUBLE_EQ(score_of("gopher_dup_para_frac", "p1\n\np2\n\np1"), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(score_of("gopher_dup_para_char_frac", "p1\n\np2\n\np1"), 0.2);
  EXPECT_FALSE(keeps("gopher_dup_para_frac", "p1\n\np2\n\np1"));
  EXPECT_TRUE(keeps("gopher_dup_para_char_frac", "p1\n\np2\n\np1"));
  EXPECT_FALSE(keeps("gopher_dup_para_char_frac", "ab\n\nc\n\nab"));  // 2 / 9
  EXPECT_TRUE(std::isnan(score_of("gopher_dup_para_char_frac", "")));
  // 3 duplicates of 10 paragraphs is inside 0.3; 4 of 11 is outside.
  std::vector<std::string> paragraphs = {"p0", "p1", "p2", "p3", "p4",
                                         "p5", "p6", "p0", "p1", "p2"};
  EXPECT_TRUE(keeps("gopher_dup_para_frac", join(paragraphs, "\n\n")));
  paragraphs.push_back("p3");
  EXPECT_FALSE(keeps("gopher_dup_para_frac", join(paragraphs, "\n\n")));
}

TEST(GopherRepetitionTest, LineFractions) {
  // re.split("\n+"): a b a b -> 2 duplicates of 4, 2 characters of len(text) == 8.
  EXPECT_DOUBLE_EQ(score_of("gopher_dup_line_frac", "a\nb\na\n\nb"), 0.5);
  EXPECT_DOUBLE_EQ(score_of("gopher_dup_line_char_frac", "a\nb\na\n\nb"), 2.0 / 8.0);
  // Characters: "dup" repeated once is 3 of len(text); 3 / 15 = 0.2 is inside, 3 / 14 not.
  EXPECT_TRUE(keeps("gopher_dup_line_char_frac", "dup\nabcdefg\ndup"));  // len 15
  EXPECT_FALSE(keeps("gopher_dup_line_char_frac", "dup\nabcdef\ndup"));  // len 14
  std::vector<std::string> lines = {"l0", "l1", "l2", "l3", "l4", "l5", "l6", "l0", "l1", "l2"};
  EXPECT_TRUE(keeps("gopher_dup_line_frac", join(lines, "\n")));  // 3 / 10
  lines.push_back("l3");
  EXPECT_FALSE(keeps("gopher_dup_line_frac", join(lines, "\n")));  // 4 / 11
}

TEST(GopherRepetitionTest, TopNgram) {
  // (the cat) twice: len("the cat") * 2 = 14 of 23.
  EXPECT_DOUBLE_EQ(score_of("gopher_top_ngram", "the cat the cat the dog"), 14.0 / 23.0);
  EXPECT_DOUBLE_EQ(score_of("gopher_top_ngram", "one"), 0.0);  // no bigram: the rule is skipped
  EXPECT_EQ(make("gopher_top_ngram", {{"n", 3}})->name(), "gopher_top_3_gram");
  EXPECT_TRUE(keeps("gopher_top_ngram", "ab cd ab cd " + repeat("z", 38)));   // 10 / 50
  EXPECT_FALSE(keeps("gopher_top_ngram", "ab cd ab cd " + repeat("z", 37)));  // 10 / 49
  // Gopher's per-n defaults: 0.18 for n = 3.
  EXPECT_TRUE(
      keeps("gopher_top_ngram", "ab cd ef ab cd ef " + repeat("z", 71), {{"n", 3}}));  // 16 / 89
  EXPECT_FALSE(
      keeps("gopher_top_ngram", "ab cd ef ab cd ef " + repeat("z", 70), {{"n", 3}}));  // 16 / 88
}

TEST(GopherRepetitionTest, DuplicateNgram) {
  // find_all_duplicate(n=2) over a b a b a b: "ab" seen at 2 and 4 -> 2 + 2 of 11.
  EXPECT_DOUBLE_EQ(score_of("gopher_dup_ngram", "a b a b a b", {{"n", 2}}), 4.0 / 11.0);
  EXPECT_DOUBLE_EQ(score_of("gopher_dup_ngram", "a b c", {{"n", 5}}), 0.0);
  EXPECT_EQ(make("gopher_dup_ngram")->name(), "gopher_duplicated_5_n_grams");
  // Five words repeated once: the repeated 5-gram is "aabbccddee" concatenated, 10.
  const std::string five = "aa bb cc dd ee";
  EXPECT_DOUBLE_EQ(score_of("gopher_dup_ngram", five + " " + five), 10.0 / 29.0);
  EXPECT_TRUE(keeps("gopher_dup_ngram", five + " " + five + " " + repeat("z", 37)));   // 10 / 67
  EXPECT_FALSE(keeps("gopher_dup_ngram", five + " " + five + " " + repeat("z", 36)));  // 10 / 66
}

}  // namespace
}  // namespace curate::text
