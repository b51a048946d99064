#include "curate/text/ngram_index.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

namespace curate::text {
namespace {

// Brute force: count each n-gram by comparing word-id tuples.
std::vector<uint32_t> brute_counts(const std::vector<uint64_t>& words, std::size_t n) {
  std::map<std::vector<uint64_t>, uint32_t> counts;
  const std::size_t starts = words.size() >= n ? words.size() - n + 1 : 0;
  for (std::size_t i = 0; i < starts; ++i) {
    ++counts[std::vector<uint64_t>(words.begin() + static_cast<long>(i),
                                   words.begin() + static_cast<long>(i + n))];
  }
  std::vector<uint32_t> out(starts);
  for (std::size_t i = 0; i < starts; ++i) {
    out[i] = counts[std::vector<uint64_t>(words.begin() + static_cast<long>(i),
                                          words.begin() + static_cast<long>(i + n))];
  }
  return out;
}

TEST(NgramIndexTest, CountsMatchBruteForceOnRandomText) {
  std::mt19937_64 random(3);
  NgramIndex index;
  for (int document = 0; document < 200; ++document) {
    // A small vocabulary makes repeats of every length likely.
    const std::size_t vocabulary = 2 + random() % 6;
    std::vector<uint64_t> words(random() % 120);
    for (uint64_t& word : words) word = 0x1000 + random() % vocabulary * 0x9E3779B97F4A7C15ULL;
    index.reset(words);
    for (std::size_t n : {10u, 2u, 1u, 5u, 3u}) {  // out of order: levels build on demand
      const auto expected = brute_counts(words, n);
      const auto counts = index.counts(n);
      ASSERT_EQ(std::vector<uint32_t>(counts.begin(), counts.end()), expected) << "n=" << n;
      const auto repeats = index.repeats(n);
      for (std::size_t i = 0; i < repeats.size(); ++i) {
        bool earlier = false;
        for (std::size_t j = 0; j < i && !earlier; ++j) {
          earlier = std::equal(words.begin() + static_cast<long>(i),
                               words.begin() + static_cast<long>(i + n),
                               words.begin() + static_cast<long>(j));
        }
        ASSERT_EQ(repeats[i] != 0, earlier) << "n=" << n << " i=" << i;
      }
    }
  }
}

TEST(NgramIndexTest, MostFrequentBreaksTiesByFirstOccurrence) {
  NgramIndex index;
  const std::vector<uint64_t> words = {1, 2, 3, 1, 2, 3, 4, 4};
  index.reset(words);
  EXPECT_EQ(index.most_frequent(2), 0u);  // (1 2) and (2 3) both twice: the first wins
  EXPECT_EQ(index.counts(2)[0], 2u);
  EXPECT_EQ(index.most_frequent(3), 0u);
  EXPECT_EQ(index.counts(4)[0], 1u);
  EXPECT_EQ(index.most_frequent(4), 0u);  // all unique: the first n-gram
}

TEST(NgramIndexTest, ShortDocumentsHaveNoNgrams) {
  NgramIndex index;
  const std::vector<uint64_t> words = {1, 2};
  index.reset(words);
  EXPECT_TRUE(index.counts(3).empty());
  EXPECT_EQ(index.counts(2).size(), 1u);
  EXPECT_THROW(index.counts(0), std::invalid_argument);
  EXPECT_THROW(index.counts(kMaxNgram + 1), std::invalid_argument);
}

TEST(NgramIndexTest, EqualNgramsHashEqual) {
  NgramIndex index;
  const std::vector<uint64_t> words = {5, 6, 7, 5, 6, 7};
  index.reset(words);
  EXPECT_EQ(index.hash(0, 3), index.hash(3, 3));
  EXPECT_NE(index.hash(0, 3), index.hash(1, 3));
  EXPECT_NE(index.hash(0, 2), index.hash(0, 3));
}

}  // namespace
}  // namespace curate::text
