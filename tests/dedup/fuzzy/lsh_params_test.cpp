#include "curate/dedup/fuzzy/lsh_params.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

#include "curate/dedup/fuzzy/band_buckets.hpp"

namespace curate::dedup {
namespace {

using ::testing::HasSubstr;

TEST(LshParamsTest, CandidateProbabilityFollowsTheSCurve) {
  EXPECT_NEAR(candidate_probability(0.8, kNemoCuratorLsh), 1 - std::pow(1 - std::pow(0.8, 13), 20),
              1e-12);
  EXPECT_NEAR(candidate_probability(0.8, kDatatroveLsh), 0.924, 0.001);  // datatrove's figure
  EXPECT_EQ(candidate_probability(0.0, kNemoCuratorLsh), 0.0);
  EXPECT_EQ(candidate_probability(1.0, kNemoCuratorLsh), 1.0);
  EXPECT_EQ(candidate_probability(-0.5, kNemoCuratorLsh), 0.0);  // clamped
  EXPECT_LT(candidate_probability(0.5, kNemoCuratorLsh),
            candidate_probability(0.7, kNemoCuratorLsh));
}

TEST(LshParamsTest, PresetsResolveAndUnknownNamesListTheValidOnes) {
  EXPECT_EQ(lsh_preset("nemo_curator"), (LshParams{20, 13}));
  EXPECT_EQ(lsh_preset("datatrove"), (LshParams{14, 8}));
  EXPECT_EQ(kNemoCuratorLsh.num_hashes(), 260);
  EXPECT_EQ(kDatatroveLsh.num_hashes(), 112);
  try {
    lsh_preset("nemo");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), HasSubstr("nemo_curator"));
    EXPECT_THAT(error.what(), HasSubstr("datatrove"));
  }
}

TEST(LshParamsTest, ChosenParamsForPointEightMeetTheConstraintAndAreOptimal) {
  const LshParams chosen = choose_lsh_params(0.8);
  EXPECT_LE(chosen.num_hashes(), 260);
  EXPECT_GE(candidate_probability(0.8, chosen), 0.99);
  const double false_rate = candidate_probability(0.7, chosen);
  // Brute force: nothing that qualifies has fewer false candidates.
  for (int r = 1; r <= 260; ++r) {
    for (int b = 1; b * r <= 260; ++b) {
      if (candidate_probability(0.8, {b, r}) < 0.99) continue;
      EXPECT_GE(candidate_probability(0.7, {b, r}), false_rate * (1 - 1e-9)) << b << "x" << r;
    }
  }
  // It beats NeMo Curator's 20 x 13, which misses 0.99 at J = 0.8.
  EXPECT_LT(candidate_probability(0.8, kNemoCuratorLsh), 0.99);
}

TEST(LshParamsTest, ChoiceHonoursOtherThresholdsAndBudgets) {
  for (double threshold : {0.5, 0.7, 0.9, 1.0}) {
    for (int budget : {64, 128, 260}) {
      const LshParams chosen = choose_lsh_params(threshold, 0.95, budget);
      EXPECT_LE(chosen.num_hashes(), budget);
      EXPECT_GE(candidate_probability(threshold, chosen), 0.95);
    }
  }
  // At threshold 1 every choice is certain and ties go to the fewest hashes... but the
  // false-candidate rate at 0.9 decides first: 0.9^r falls with r, so r is as large as
  // the budget allows with one band.
  EXPECT_EQ(choose_lsh_params(1.0, 0.99, 64), (LshParams{1, 64}));
  // Very low thresholds: every choice has P(threshold - 0.1 <= 0) = 0, so the fewest
  // hashes wins.
  EXPECT_EQ(choose_lsh_params(0.05, 0.5, 260).num_hashes(),
            static_cast<int>(std::ceil(std::log(0.5) / std::log(0.95))));
}

TEST(LshParamsTest, BadArgumentsThrowWithAUsefulMessage) {
  EXPECT_THROW(choose_lsh_params(0.0), std::invalid_argument);
  EXPECT_THROW(choose_lsh_params(1.5), std::invalid_argument);
  EXPECT_THROW(choose_lsh_params(0.8, 0.0), std::invalid_argument);
  EXPECT_THROW(choose_lsh_params(0.8, 0.99, 0), std::invalid_argument);
  try {
    // 1 - 0.2^b >= 0.99 needs b >= 3 with one row per band.
    choose_lsh_params(0.8, 0.99, 2);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), HasSubstr("max_hashes = 2"));
    EXPECT_THAT(error.what(), HasSubstr("at least 3"));
  }
  EXPECT_NO_THROW(choose_lsh_params(0.8, 0.99, 3));
  // Certainty is out of reach below threshold 1 (in exact arithmetic; in doubles a large
  // enough budget rounds to 1): the message says what to change.
  try {
    choose_lsh_params(0.8, 1.0, 5);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), HasSubstr("lower min_probability"));
  }
}

TEST(LshParamsTest, DescribeSCurveIsOneLineWithThreePoints) {
  const std::string text = describe_s_curve(0.8, kNemoCuratorLsh);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  EXPECT_THAT(text, HasSubstr("20 bands x 13 rows (260 hashes)"));
  EXPECT_THAT(text, HasSubstr("J=0.70"));
  EXPECT_THAT(text, HasSubstr("J=0.80 (threshold)"));
  EXPECT_THAT(text, HasSubstr("J=0.90"));
  char expected[32];
  std::snprintf(expected, sizeof expected, "%.3f", candidate_probability(0.8, kNemoCuratorLsh));
  EXPECT_THAT(text, HasSubstr(expected));
}

TEST(BandBucketsTest, EqualBandsGiveEqualBuckets) {
  const LshParams params{4, 3};
  std::vector<uint64_t> a(12), b(12);
  for (int i = 0; i < 12; ++i) a[i] = b[i] = 1000 + static_cast<uint64_t>(i);
  b[4] = 7;  // band 1 differs
  std::vector<uint64_t> ba(4), bb(4);
  band_buckets(a, params, ba);
  band_buckets(b, params, bb);
  EXPECT_EQ(ba[0], bb[0]);
  EXPECT_NE(ba[1], bb[1]);
  EXPECT_EQ(ba[2], bb[2]);
  EXPECT_EQ(ba[3], bb[3]);
  for (int band = 0; band < 4; ++band) EXPECT_EQ(band_bucket(a, params, band), ba[band]);
}

TEST(BandBucketsTest, SameValuesInDifferentBandsGiveDifferentBuckets) {
  const std::vector<uint64_t> signature(6, 42);
  std::vector<uint64_t> buckets(3);
  band_buckets(signature, {3, 2}, buckets);
  EXPECT_NE(buckets[0], buckets[1]);
  EXPECT_NE(buckets[1], buckets[2]);
}

TEST(BandBucketsTest, RejectsMismatchedSizes) {
  std::vector<uint64_t> signature(10), buckets(2);
  EXPECT_THROW(band_buckets(signature, {2, 4}, buckets), std::invalid_argument);
  std::vector<uint64_t> three(3);
  EXPECT_THROW(band_buckets(std::vector<uint64_t>(8), {2, 4}, three), std::invalid_argument);
  EXPECT_THROW(band_bucket(std::vector<uint64_t>(8), {2, 4}, 2), std::invalid_argument);
}

}  // namespace
}  // namespace curate::dedup
