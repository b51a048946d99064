#include "curate/dedup/fuzzy/minhash.hpp"

#include "curate/dedup/fuzzy/minhash_kernels.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ostream>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

namespace curate::dedup {
namespace {

struct Config {
  SketchKind kind;
  bool values64;
};

std::string describe(const Config& config) {
  return std::string(config.kind == SketchKind::kClassic ? "Classic" : "OnePermutation") +
         (config.values64 ? "64" : "32");
}
std::string config_name(const ::testing::TestParamInfo<Config>& info) {
  return describe(info.param);
}
void PrintTo(const Config& config, std::ostream* os) { *os << describe(config); }

// Two sets of random 64-bit hashes sharing `common` elements, each with `own` more:
// Jaccard = common / (common + 2 * own) exactly.
struct Pair {
  std::vector<uint64_t> a, b;
};
Pair make_pair_with(std::mt19937_64& random, int common, int own) {
  Pair pair;
  for (int i = 0; i < common; ++i) {
    const uint64_t x = random();
    pair.a.push_back(x);
    pair.b.push_back(x);
  }
  for (int i = 0; i < own; ++i) pair.a.push_back(random());
  for (int i = 0; i < own; ++i) pair.b.push_back(random());
  return pair;
}

class MinHasherTest : public ::testing::TestWithParam<Config> {
 protected:
  MinHasher hasher(int k, uint64_t seed) const {
    return MinHasher(GetParam().kind, k, seed, GetParam().values64);
  }
  static std::vector<uint64_t> sketch(const MinHasher& hasher, const std::vector<uint64_t>& in) {
    std::vector<uint64_t> out(static_cast<std::size_t>(hasher.num_hashes()));
    hasher.sketch(in, out);
    return out;
  }
  static double fraction_equal(const std::vector<uint64_t>& x, const std::vector<uint64_t>& y) {
    int equal = 0;
    for (std::size_t i = 0; i < x.size(); ++i) equal += x[i] == y[i];
    return static_cast<double>(equal) / static_cast<double>(x.size());
  }

  // Mean over `trials` pairs (fresh sets and seed each) of the fraction of equal values;
  // also checks that the fractions spread no more than independent values would.
  double estimate(int common, int own, int k, int trials) const {
    std::mt19937_64 random(1234);
    std::vector<double> fractions;
    for (int t = 0; t < trials; ++t) {
      const Pair pair = make_pair_with(random, common, own);
      const MinHasher h = hasher(k, 1000 + static_cast<uint64_t>(t));
      fractions.push_back(fraction_equal(sketch(h, pair.a), sketch(h, pair.b)));
    }
    double mean = 0;
    for (double f : fractions) mean += f / trials;
    double variance = 0;
    for (double f : fractions) variance += (f - mean) * (f - mean) / (trials - 1);
    // Binomial spread of one pair's fraction: sqrt(J(1-J)/k). The sample standard
    // deviation of 16+ trials is within 2x of it far beyond 5 sigma; permutations that
    // move together (a poor family) blow it up, the estimate's mean would not show it.
    const double jaccard = static_cast<double>(common) / (common + 2 * own);
    EXPECT_LT(std::sqrt(variance), 2 * std::sqrt(jaccard * (1 - jaccard) / k))
        << "values of one sketch are not independent enough";
    return mean;
  }
};

// 16 trials x 1024 values = 16384 indicator samples of P[equal] = J. For the classic sketch
// they are independent, so the standard deviation of the mean is sqrt(J(1-J)/16384):
// 0.0039 at J=0.5 and 0.0031 at J=0.8; the one-permutation bins are negatively correlated
// (no larger variance). A tolerance of 0.02 is over 5 standard deviations, and the seeds
// are fixed, so the test is deterministic; a biased sketch misses it (and estimate()
// checks the spread, which a poor permutation family inflates).
constexpr double kTolerance = 0.02;

TEST_P(MinHasherTest, EqualValuesEstimateJaccardHalf) {
  // 400 elements in the union and 1024 values: the one-permutation sketch densifies most bins.
  EXPECT_NEAR(estimate(200, 100, 1024, 16), 0.5, kTolerance);
}

TEST_P(MinHasherTest, EqualValuesEstimateJaccardPointEight) {
  EXPECT_NEAR(estimate(400, 50, 1024, 16), 0.8, kTolerance);
}

TEST_P(MinHasherTest, EstimatesJaccardWithFewerBinsThanShingles) {
  // 4000 shingles into 256 values: every one-permutation bin is filled.
  EXPECT_NEAR(estimate(2000, 1000, 256, 64), 0.5, kTolerance);
  EXPECT_NEAR(estimate(3200, 400, 256, 64), 0.8, kTolerance);
}

TEST_P(MinHasherTest, DeterministicForASeedAndDifferentAcrossSeeds) {
  std::mt19937_64 random(9);
  const Pair pair = make_pair_with(random, 300, 0);
  const auto first = sketch(hasher(260, 42), pair.a);
  EXPECT_EQ(first, sketch(hasher(260, 42), pair.a));
  const auto other_seed = sketch(hasher(260, 43), pair.a);
  // Independent permutations agree on a value only by chance (1/300 here per value).
  EXPECT_LT(fraction_equal(first, other_seed), 0.05);
}

TEST_P(MinHasherTest, DependsOnTheSetNotOnOrderOrRepeats) {
  std::mt19937_64 random(10);
  std::vector<uint64_t> set = make_pair_with(random, 500, 0).a;
  std::vector<uint64_t> shuffled = set;
  shuffled.insert(shuffled.end(), set.begin(), set.begin() + 100);
  std::shuffle(shuffled.begin(), shuffled.end(), random);
  const MinHasher h = hasher(128, 7);
  EXPECT_EQ(sketch(h, set), sketch(h, shuffled));
}

TEST_P(MinHasherTest, ValuesFitTheValueWidthAndAreNeverTheEmptySentinel) {
  std::mt19937_64 random(11);
  const MinHasher h = hasher(300, 5);
  for (int size : {1, 2, 3, 10, 299, 300, 301, 5000}) {
    const auto values = sketch(h, make_pair_with(random, size, 0).a);
    for (uint64_t value : values) {
      EXPECT_NE(value, h.empty_value()) << size;
      if (!GetParam().values64) {
        EXPECT_LE(value, 0xFFFFFFFFULL) << size;
      }
    }
  }
}

TEST_P(MinHasherTest, EmptyInputFillsTheSentinel) {
  const MinHasher h = hasher(64, 1);
  const auto values = sketch(h, {});
  EXPECT_EQ(values, std::vector<uint64_t>(64, h.empty_value()));
  EXPECT_EQ(h.empty_value(), GetParam().values64 ? ~uint64_t{0} : 0xFFFFFFFFULL);
}

TEST_P(MinHasherTest, RejectsBadSizes) {
  EXPECT_THROW(hasher(0, 1), std::invalid_argument);
  const MinHasher h = hasher(8, 1);
  std::vector<uint64_t> wrong(7);
  const std::vector<uint64_t> in{1, 2, 3};
  EXPECT_THROW(h.sketch(in, wrong), std::invalid_argument);
}

TEST_P(MinHasherTest, ShortInputsGiveSaneSketches) {
  // Fewer shingles than values: every value must still come from the input's own values,
  // identical inputs agree everywhere, and disjoint inputs almost nowhere.
  const MinHasher h = hasher(260, 3);
  const std::vector<uint64_t> one{0x1234}, other{0x9876};
  const auto s1 = sketch(h, one);
  EXPECT_EQ(s1, sketch(h, one));
  EXPECT_LT(fraction_equal(s1, sketch(h, other)), 0.02);
  if (GetParam().kind == SketchKind::kOnePermutation) {
    // One shingle fills one bin; densification copies it everywhere.
    EXPECT_EQ(std::set<uint64_t>(s1.begin(), s1.end()).size(), 1u);
    const std::vector<uint64_t> three{11, 22, 33};
    const auto s3 = sketch(h, three);
    EXPECT_LE(std::set<uint64_t>(s3.begin(), s3.end()).size(), 3u);
  }
}

TEST_P(MinHasherTest, TinySetsStillEstimateJaccard) {
  // {x} and {x, y}: J = 1/2. 5 shingles vs 260 bins for the one-permutation sketch.
  std::mt19937_64 random(12);
  double sum = 0;
  constexpr int kTrials = 400;
  for (int t = 0; t < kTrials; ++t) {
    const Pair pair = make_pair_with(random, 3, 1);  // J = 3 / 5
    const MinHasher h = hasher(260, 500 + static_cast<uint64_t>(t));
    sum += fraction_equal(sketch(h, pair.a), sketch(h, pair.b));
  }
  // For the densified sketch the 260 values of one pair are strongly dependent (they come
  // from at most 5 bins), so 400 pairs give a standard deviation around
  // sqrt(0.24 / (400 * 4)) = 0.012; 0.05 is 4 of them.
  EXPECT_NEAR(sum / kTrials, 0.6, 0.05);
}

INSTANTIATE_TEST_SUITE_P(AllKinds, MinHasherTest,
                         ::testing::Values(Config{SketchKind::kClassic, false},
                                           Config{SketchKind::kClassic, true},
                                           Config{SketchKind::kOnePermutation, false},
                                           Config{SketchKind::kOnePermutation, true}),
                         config_name);

TEST(ClassicMinHashTest, SketchOfUnionIsElementwiseMinimum) {
  std::mt19937_64 random(13);
  for (bool values64 : {false, true}) {
    const MinHasher h(SketchKind::kClassic, 100, 77, values64);
    const Pair pair = make_pair_with(random, 50, 70);
    std::vector<uint64_t> united = pair.a;
    united.insert(united.end(), pair.b.begin(), pair.b.end());
    std::vector<uint64_t> sa(100), sb(100), su(100);
    h.sketch(pair.a, sa);
    h.sketch(pair.b, sb);
    h.sketch(united, su);
    for (std::size_t i = 0; i < su.size(); ++i) EXPECT_EQ(su[i], std::min(sa[i], sb[i])) << i;
  }
}

TEST(ClassicMinHashTest, NumHashesNotAMultipleOfTheBlockWritesOnlyItsValues) {
  std::mt19937_64 random(14);
  const std::vector<uint64_t> in = make_pair_with(random, 20, 0).a;
  for (int k : {1, 31, 33, 112, 260}) {
    const MinHasher h(SketchKind::kClassic, k, 1, false);
    std::vector<uint64_t> buffer(static_cast<std::size_t>(k) + 8, 0xABCDEF);
    h.sketch(in, std::span<uint64_t>(buffer.data(), static_cast<std::size_t>(k)));
    for (std::size_t i = static_cast<std::size_t>(k); i < buffer.size(); ++i) {
      EXPECT_EQ(buffer[i], 0xABCDEFu) << "k=" << k;
    }
    // A longer sketch with the same seed starts with the same values.
    const MinHasher longer(SketchKind::kClassic, k + 40, 1, false);
    std::vector<uint64_t> more(static_cast<std::size_t>(k) + 40);
    longer.sketch(in, more);
    EXPECT_TRUE(std::equal(buffer.begin(), buffer.begin() + k, more.begin())) << "k=" << k;
  }
}

TEST(ClassicMinHashTest, BothKernelLoopsAgreeWithAPlainLoop) {
  std::mt19937_64 random(15);
  for (const std::size_t count : {1u, 5u, 15u, 16u, 17u, 1000u, 1024u, 1025u, 3000u}) {
    std::vector<uint64_t> hashes(count);
    for (uint64_t& h : hashes) h = random();
    constexpr std::size_t kValid = 70;
    constexpr std::size_t kPadded = 96;  // a multiple of kClassicBlock32
    std::vector<uint32_t> mul(kPadded), add(kPadded);
    for (std::size_t i = 0; i < kPadded; ++i) {
      mul[i] = static_cast<uint32_t>(random()) | 1;
      add[i] = static_cast<uint32_t>(random());
    }
    std::vector<uint64_t> expected(kValid);
    for (std::size_t i = 0; i < kValid; ++i) {
      uint32_t minimum = ~uint32_t{0};
      for (uint64_t h : hashes)
        minimum = std::min(minimum, mul[i] * static_cast<uint32_t>(h) + add[i]);
      expected[i] = minimum;
    }
    std::vector<uint64_t> lanes(kValid), shingles(kValid), chosen(kValid);
    detail::classic_sketch32_lane_blocks(hashes.data(), count, mul.data(), add.data(), kPadded,
                                         kValid, lanes.data());
    detail::classic_sketch32_shingle_major(hashes.data(), count, mul.data(), add.data(), kValid,
                                           shingles.data());
    detail::classic_sketch32(hashes.data(), count, mul.data(), add.data(), kPadded, kValid,
                             chosen.data());
    EXPECT_EQ(lanes, expected) << count;
    EXPECT_EQ(shingles, expected) << count;
    EXPECT_EQ(chosen, expected) << count;
  }
}

}  // namespace
}  // namespace curate::dedup
