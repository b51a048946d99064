// Every built-in filter against the edge cases of the issue: empty text, one word, no
// newline, only whitespace, Chinese, Arabic, emoji, combining characters, CRLF line
// ends, very long words, and invalid UTF-8. The per-rule tests check the values; these
// check the properties every rule must have on such input.

#include "filter_test_util.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace curate::text {
namespace {

using testing::good_english;
using testing::repeat;

std::vector<std::string> edge_documents() {
  return {
      "",
      "word",
      "a single line without any newline at all",
      " \t \n  \n\t ",
      "\u6211\u4eec\u559c\u6b22\u5b66\u4e60\u4e2d\u6587\u3002\u4eca\u5929\u5929\u6c14\u5f88\u597d"
      "\u3002",
      "\u0645\u0631\u062d\u0628\u0627 \u0628\u0643\u0645 \u0641\u064a "
      "\u0627\u0644\u0645\u0648\u0642\u0639.",
      "I love it \U0001F60D\U0001F44D\U0001F3FD \U0001F468\u200D\U0001F469\u200D\U0001F467 so "
      "much!",
      "Cafe\u0301 cre\u0300me bru\u0302le\u0301e, na\u0308ive.",
      "First line.\r\nSecond line here.\r\n\r\nThird paragraph.\r\n",
      "short " + repeat("x", 5000) + " end",
      "bad \xC3( utf8 \xF0\x9F\x98 here\xFF.",
      good_english(),
      good_english() + "\n\n" + good_english(),
  };
}

TEST(EdgeCasesTest, EveryFilterScoresEveryEdgeDocumentConsistently) {
  std::set<std::string> seen;
  for (const std::string& name : builtin_filters().names()) {
    if (name == "c4_bad_words") continue;  // needs a list; covered in its own test
    const FilterPtr filter = testing::make(name);
    AnalyzedDocument reused;  // one analysis reused across documents, as a stage does
    for (const std::string& text : edge_documents()) {
      const double fresh = filter->score_text(text);
      reused.reset(text);
      std::string rewritten;
      const double again =
          filter->rewrites_text() ? filter->rewrite(reused, rewritten) : filter->score(reused);
      if (std::isnan(fresh)) {
        EXPECT_TRUE(std::isnan(again)) << name << " on [" << text << "]";
        EXPECT_FALSE(filter->keep(fresh)) << name << ": an undefined statistic must drop";
      } else {
        EXPECT_DOUBLE_EQ(fresh, again) << name << " on [" << text << "]";
        EXPECT_GE(fresh, 0.0) << name;
      }
    }
    seen.insert(name);
  }
  EXPECT_GE(seen.size(), 40u);
}

TEST(EdgeCasesTest, LineRulesScoreCrlfTextAsItsLfTwin) {
  const std::string lf =
      "A first line.\nA second line\n\nA paragraph...\n\u2022 bullet\nA first line.\n";
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') crlf.push_back('\r');
    crlf.push_back(c);
  }
  for (const char* name :
       {"repeated_lines", "repeated_paragraphs", "punctuation", "ellipsis", "bullet_ratio",
        "gopher_bullet_lines", "gopher_ellipsis_lines", "gopher_dup_para_frac",
        "gopher_dup_line_frac", "fineweb_line_punct_ratio", "fineweb_short_line_ratio", "c4_lines",
        "c4_min_sentences", "word_count", "common_english_words", "gopher_word_count",
        "gopher_stop_words"}) {
    EXPECT_DOUBLE_EQ(testing::score_of(name, crlf), testing::score_of(name, lf)) << name;
  }
}

TEST(EdgeCasesTest, EmptyAndWhitespaceDocumentsAreDroppedByTheSets) {
  for (const std::string& text : {std::string(), std::string(" \n\t ")}) {
    EXPECT_FALSE(testing::keeps("word_count", text));
    EXPECT_FALSE(testing::keeps("gopher_word_count", text));
    EXPECT_FALSE(testing::keeps("alpha_numeric", text));
    EXPECT_FALSE(testing::keeps("fineweb_line_punct_ratio", text));
  }
}

TEST(EdgeCasesTest, VeryLongWordsAreCountedInCodePoints) {
  const std::string word = repeat("\u00e9", 1200);
  EXPECT_DOUBLE_EQ(testing::score_of("max_word_length", word), 1200.0);
  EXPECT_DOUBLE_EQ(testing::score_of("mean_word_length", word), 1200.0);
  EXPECT_DOUBLE_EQ(testing::score_of("gopher_mean_word_length", word), 1200.0);
}

}  // namespace
}  // namespace curate::text
