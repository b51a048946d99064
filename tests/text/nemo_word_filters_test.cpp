// NeMo Curator's word-level rules: hand-computed statistics, both sides of each default
// threshold, and the edge cases.

#include "filter_test_util.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace curate::text {
namespace {

using testing::keeps;
using testing::make;
using testing::repeat;
using testing::score_of;

std::string words(std::size_t count, const std::string& word = "word") {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += (i ? " " : "") + word;
  return out;
}

TEST(NemoWordCountTest, CountsWhitespaceSeparatedWords) {
  EXPECT_DOUBLE_EQ(score_of("word_count", "a b  c\n\td"), 4.0);
  EXPECT_DOUBLE_EQ(score_of("word_count", ""), 0.0);
  EXPECT_DOUBLE_EQ(score_of("word_count", " \n "), 0.0);
  EXPECT_DOUBLE_EQ(score_of("word_count", "one"), 1.0);
  EXPECT_DOUBLE_EQ(score_of("word_count", "\u6211\u4eec\u559c\u6b22\u5b66\u4e60"),
                   1.0);  // no spaces
  EXPECT_DOUBLE_EQ(score_of("word_count", "\u0645\u0631\u062d\u0628\u0627 \u0628\u0643\u0645"),
                   2.0);
  EXPECT_DOUBLE_EQ(score_of("word_count", "a\r\nb"), 2.0);
}

TEST(NemoWordCountTest, BoundsAreInclusive) {
  EXPECT_TRUE(keeps("word_count", words(50)));
  EXPECT_FALSE(keeps("word_count", words(49)));
  EXPECT_TRUE(keeps("word_count", words(100000, "a")));
  EXPECT_FALSE(keeps("word_count", words(100001, "a")));
  EXPECT_TRUE(keeps("word_count", words(3), {{"min_words", 3}, {"max_words", 3}}));
  EXPECT_THROW(make("word_count", {{"min_words", 10}, {"max_words", 5}}), std::invalid_argument);
}

TEST(NemoWordCountTest, ChineseUsesDictionarySegmentationWithLangZh) {
  // NeMo Curator splits zh with jieba; ICU's dictionary gives several words too.
  EXPECT_GE(
      score_of("word_count", "\u6211\u4eec\u559c\u6b22\u5b66\u4e60\u4e2d\u6587", {{"lang", "zh"}}),
      3.0);
}

TEST(NemoSymbolToWordTest, ScoresHashRunsAndEllipsisWords) {
  // "#a#": 2 runs of 3 chars > 0.5; "##": 1 run of 2 = 0.5, not more; "#tag": 1 of 4.
  EXPECT_DOUBLE_EQ(score_of("symbol_to_word", "#tag ## #a# ... \u2026 [...] word -\u00bb"),
                   5.0 / 8.0);
  EXPECT_DOUBLE_EQ(score_of("symbol_to_word", "#"), 1.0);
  EXPECT_TRUE(std::isnan(score_of("symbol_to_word", "")));
  EXPECT_TRUE(keeps("symbol_to_word", words(90) + " " + words(10, "#")));   // 0.10
  EXPECT_FALSE(keeps("symbol_to_word", words(89) + " " + words(11, "#")));  // 0.11
}

TEST(NemoWordsWithoutAlphabetsTest, ScoresWordsWithAnAlphabeticCharacter) {
  EXPECT_DOUBLE_EQ(score_of("words_without_alphabets", "abc 123 x1 !!"), 0.5);
  EXPECT_DOUBLE_EQ(
      score_of("words_without_alphabets", "\u4e2d\u6587 \u0661\u0662 \U0001F600 e\u0301"), 0.5);
  EXPECT_TRUE(std::isnan(score_of("words_without_alphabets", "")));
  EXPECT_TRUE(keeps("words_without_alphabets", words(8) + " 1 2"));     // 0.8
  EXPECT_FALSE(keeps("words_without_alphabets", words(7) + " 1 2 3"));  // 0.7
}

TEST(NemoCommonEnglishWordsTest, CountsLowerCaseCommonWords) {
  EXPECT_DOUBLE_EQ(score_of("common_english_words", "the cat and the dog"), 2.0);  // stops at 2
  EXPECT_DOUBLE_EQ(
      score_of("common_english_words", "the cat and the dog", {{"stop_at_false", false}}), 3.0);
  EXPECT_DOUBLE_EQ(score_of("common_english_words", "The AND With"), 0.0);  // case-sensitive
  EXPECT_DOUBLE_EQ(score_of("common_english_words", "the, and."), 0.0);     // punctuation sticks
  EXPECT_DOUBLE_EQ(score_of("common_english_words", ""), 0.0);
  EXPECT_TRUE(keeps("common_english_words", "to be"));
  EXPECT_FALSE(keeps("common_english_words", "to bee"));
}

TEST(NemoMeanWordLengthTest, AveragesCodePointLengths) {
  EXPECT_DOUBLE_EQ(score_of("mean_word_length", "a bb ccc"), 2.0);
  EXPECT_DOUBLE_EQ(score_of("mean_word_length", "e\u0301e\u0301e\u0301"),
                   6.0);  // 3 letters + 3 marks
  EXPECT_DOUBLE_EQ(score_of("mean_word_length", "\u4e2d\u6587"), 2.0);
  EXPECT_TRUE(std::isnan(score_of("mean_word_length", "")));
  EXPECT_TRUE(keeps("mean_word_length", "abc abc"));                                 // 3
  EXPECT_FALSE(keeps("mean_word_length", "abc ab"));                                 // 2.5
  EXPECT_TRUE(keeps("mean_word_length", repeat("a", 10)));                           // 10
  EXPECT_FALSE(keeps("mean_word_length", repeat("a", 10) + " " + repeat("a", 11)));  // 10.5
}

TEST(NemoLongWordTest, ScoresTheLongestWord) {
  EXPECT_DOUBLE_EQ(score_of("max_word_length", "a bbb cc"), 3.0);
  EXPECT_TRUE(keeps("max_word_length", "a " + repeat("x", 1000)));
  EXPECT_FALSE(keeps("max_word_length", "a " + repeat("x", 1001)));
  EXPECT_DOUBLE_EQ(score_of("max_word_length", repeat("\u00e9", 1001)), 1001.0);  // code points
  EXPECT_TRUE(std::isnan(score_of("max_word_length", "")));
}

TEST(NemoTopNgramTest, RemovesTheMostFrequentNgramAsStrReplaceDoes) {
  // Bigrams (the cat) x2, (cat the) x2, (the dog): the first of the tied wins; "the cat"
  // occurs twice in the text: 14 of 23 characters.
  EXPECT_DOUBLE_EQ(score_of("repeating_top_ngrams", "the cat the cat the dog"), 14.0 / 23.0);
  // str.replace also removes "xy zw" inside "axy zwb": 3 occurrences of 5 characters.
  EXPECT_DOUBLE_EQ(score_of("repeating_top_ngrams", "xy zw xy zw axy zwb"), 15.0 / 19.0);
  // The joined n-gram has one space; "a\nb" is not an occurrence of "a b".
  EXPECT_DOUBLE_EQ(score_of("repeating_top_ngrams", "a\nb a b"), 3.0 / 7.0);
  EXPECT_DOUBLE_EQ(score_of("repeating_top_ngrams", "one"), 1.0);  // fewer words than n
  EXPECT_DOUBLE_EQ(score_of("repeating_top_ngrams", ""), 1.0);
  EXPECT_EQ(make("repeating_top_ngrams", {{"n", 3}})->name(), "repeating_top_3grams");
}

TEST(NemoTopNgramTest, ThresholdIsInclusive) {
  EXPECT_TRUE(keeps("repeating_top_ngrams", "ab cd ab cd " + repeat("z", 38)));   // 10 / 50
  EXPECT_FALSE(keeps("repeating_top_ngrams", "ab cd ab cd " + repeat("z", 37)));  // 10 / 49
  EXPECT_THROW(make("repeating_top_ngrams", {{"n", 0}}), std::invalid_argument);
}

TEST(NemoDuplicateNgramTest, CountsOverlappingDuplicatesOnce) {
  // Repeated bigrams start at 2, 3, 4 of "a b a b a b": "a b a b" after the first
  // "a b " is duplicated, 7 of 11 characters.
  EXPECT_DOUBLE_EQ(score_of("repeating_duplicate_ngrams", "a b a b a b"), 7.0 / 11.0);
  EXPECT_DOUBLE_EQ(score_of("repeating_duplicate_ngrams", "a b c d"), 0.0);
  EXPECT_DOUBLE_EQ(score_of("repeating_duplicate_ngrams", "a b c a b c", {{"n", 3}}), 5.0 / 11.0);
  EXPECT_DOUBLE_EQ(score_of("repeating_duplicate_ngrams", "a", {{"n", 2}}), 1.0);
  EXPECT_EQ(make("repeating_duplicate_ngrams", {{"n", 5}})->name(), "repeating_dup_5gram");
}

TEST(NemoDuplicateNgramTest, ThresholdIsInclusive) {
  // "ab cd" repeated once: 5 duplicated characters.
  EXPECT_TRUE(keeps("repeating_duplicate_ngrams", "ab cd ab cd " + repeat("z", 13)));   // 5 / 25
  EXPECT_FALSE(keeps("repeating_duplicate_ngrams", "ab cd ab cd " + repeat("z", 12)));  // 5 / 24
}

}  // namespace
}  // namespace curate::text
