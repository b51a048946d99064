#include "curate/text/keyword_set.hpp"

#include "curate/text/flat_hash_counter.hpp"
#include "curate/text/unicode_text.hpp"
#include "curate/text/word_list.hpp"

#include <gtest/gtest.h>

#include <random>

namespace curate::text {
namespace {

TEST(KeywordSetTest, FindsKeywordsInAnyAsciiCase) {
  const KeywordSet set({"cookie policy", "terms of use", "lorem ipsum"});
  EXPECT_TRUE(set.contains_any("Please read the COOKIE Policy now"));
  EXPECT_TRUE(set.contains_any("terms of use"));  // the whole text, shorter than a vector
  EXPECT_TRUE(set.contains_any(std::string(40, 'x') + "Lorem Ipsum"));  // at the very end
  EXPECT_FALSE(set.contains_any("cookie  policy, terms of us"));
  EXPECT_FALSE(set.contains_any(""));
  EXPECT_FALSE(KeywordSet().contains_any("anything"));
  EXPECT_THROW(KeywordSet({""}), std::invalid_argument);
}

// The vector scan must find exactly what a plain case-insensitive search finds.
TEST(KeywordSetTest, MatchesAPlainSearchOnRandomText) {
  // The first list has pair anchors (vector scan); "x" has no pair (byte-by-byte scan).
  for (const std::vector<std::string>& keywords :
       {std::vector<std::string>{"cookie", "privacy policy", "ki", "use of cookies"},
        std::vector<std::string>{"cookie", "x", "use of cookies"}}) {
    const KeywordSet set(keywords);
    std::mt19937 random(11);
    const std::string alphabet = "cokieCOKIE prvaylustfX.\n";
    for (int iteration = 0; iteration < 5000; ++iteration) {
      std::string text;
      const int length = static_cast<int>(random() % 80);
      for (int i = 0; i < length; ++i) text.push_back(alphabet[random() % alphabet.size()]);
      bool expected = false;
      for (const std::string& keyword : keywords) {
        expected |= find_ascii_ci(text, keyword) != std::string_view::npos;
      }
      ASSERT_EQ(set.contains_any(text), expected) << text;
    }
  }
}

TEST(WordListTest, MatchesExactWords) {
  const WordList small(default_stop_words());
  EXPECT_TRUE(small.contains("the"));
  EXPECT_FALSE(small.contains("The"));
  EXPECT_FALSE(small.contains("thee"));
  std::vector<std::string> many;
  for (int i = 0; i < 40; ++i) many.push_back("w" + std::to_string(i));
  const WordList large(many);
  EXPECT_TRUE(large.contains("w39"));
  EXPECT_FALSE(large.contains("w40"));
}

TEST(FlatHashCounterTest, CountsAndForgetsOnClear) {
  FlatHashCounter counter;
  counter.clear(4);
  EXPECT_EQ(counter.count_at(counter.add(7)), 1u);
  EXPECT_EQ(counter.count_at(counter.add(7)), 2u);
  EXPECT_EQ(counter.count(7), 2u);
  EXPECT_EQ(counter.count(8), 0u);
  counter.clear(4);
  EXPECT_EQ(counter.count(7), 0u);
  // Keys that share their low bits probe past each other.
  counter.clear(8);
  for (uint64_t k = 0; k < 8; ++k) counter.add(k << 40);
  for (uint64_t k = 0; k < 8; ++k) EXPECT_EQ(counter.count(k << 40), 1u);
}

}  // namespace
}  // namespace curate::text
