#include "curate/dedup/fuzzy/jaccard.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

namespace curate::dedup {
namespace {

double reference_jaccard(const std::set<uint64_t>& a, const std::set<uint64_t>& b) {
  std::set<uint64_t> united = a;
  united.insert(b.begin(), b.end());
  if (united.empty()) return 1.0;
  std::size_t common = 0;
  for (uint64_t x : a) common += b.count(x);
  return static_cast<double>(common) / static_cast<double>(united.size());
}

TEST(JaccardTest, MatchesStdSetOnRandomSets) {
  std::mt19937_64 random(5);
  for (int trial = 0; trial < 200; ++trial) {
    // Small universes make overlaps likely; sizes include 0.
    const uint64_t universe = 1 + random() % 64;
    std::set<uint64_t> a, b;
    const int size_a = static_cast<int>(random() % 40);
    const int size_b = static_cast<int>(random() % 40);
    for (int i = 0; i < size_a; ++i) a.insert(random() % universe * 0x9E3779B97F4A7C15ULL);
    for (int i = 0; i < size_b; ++i) b.insert(random() % universe * 0x9E3779B97F4A7C15ULL);
    const std::vector<uint64_t> va(a.begin(), a.end()), vb(b.begin(), b.end());
    EXPECT_DOUBLE_EQ(jaccard(va, vb), reference_jaccard(a, b)) << "trial " << trial;
    EXPECT_DOUBLE_EQ(jaccard(vb, va), jaccard(va, vb));
  }
}

TEST(JaccardTest, EdgeCases) {
  const std::vector<uint64_t> empty;
  const std::vector<uint64_t> some{1, 5, 9};
  EXPECT_EQ(jaccard(empty, empty), 1.0);
  EXPECT_EQ(jaccard(empty, some), 0.0);
  EXPECT_EQ(jaccard(some, some), 1.0);
  EXPECT_EQ(jaccard(some, std::vector<uint64_t>{2, 6}), 0.0);
  EXPECT_DOUBLE_EQ(jaccard(some, std::vector<uint64_t>{5, 9, 12, UINT64_MAX}), 2.0 / 5.0);
  EXPECT_EQ(intersection_size(some, std::vector<uint64_t>{0, 9}), 1u);
}

}  // namespace
}  // namespace curate::dedup
