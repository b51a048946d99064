#include "curate/backends/mpi/gpu_assignment.hpp"

#include <gtest/gtest.h>

namespace {

using curate::backends::mpi::gpus_for_local_rank;
using Positions = std::vector<std::size_t>;

TEST(GpusForLocalRank, SplitsAsManyOrMoreGpusThanRanksWithoutOverlap) {
  EXPECT_EQ(gpus_for_local_rank(8, 0, 2), (Positions{0, 1, 2, 3}));
  EXPECT_EQ(gpus_for_local_rank(8, 1, 2), (Positions{4, 5, 6, 7}));
  EXPECT_EQ(gpus_for_local_rank(4, 2, 4), (Positions{2}));
  // 5 GPUs over 2 ranks: 2 and 3, every GPU once.
  EXPECT_EQ(gpus_for_local_rank(5, 0, 2), (Positions{0, 1}));
  EXPECT_EQ(gpus_for_local_rank(5, 1, 2), (Positions{2, 3, 4}));
}

TEST(GpusForLocalRank, SharesFewerGpusThanRanksRoundTheNode) {
  EXPECT_EQ(gpus_for_local_rank(1, 0, 2), (Positions{0}));
  EXPECT_EQ(gpus_for_local_rank(1, 1, 2), (Positions{0}));
  EXPECT_EQ(gpus_for_local_rank(2, 1, 4), (Positions{0}));
  EXPECT_EQ(gpus_for_local_rank(2, 2, 4), (Positions{1}));
}

TEST(GpusForLocalRank, GivesNothingWithoutGpusOrForABadRank) {
  EXPECT_TRUE(gpus_for_local_rank(0, 0, 2).empty());
  EXPECT_TRUE(gpus_for_local_rank(4, 2, 2).empty());
  EXPECT_TRUE(gpus_for_local_rank(4, -1, 2).empty());
}

}  // namespace
