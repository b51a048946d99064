// RunStats: the per-stage figures that stats.json and the end-of-run table show.

#include "curate/backends/run_stats.hpp"

#include <gtest/gtest.h>

namespace curate::backends {
namespace {

TEST(StageStatsTest, ThroughputCountsWhatTheStageHandled) {
  StageStats filter;
  filter.documents_in = 100;
  filter.documents_out = 80;
  filter.wall_time_s = 2.0;
  EXPECT_DOUBLE_EQ(filter.throughput_documents_per_s(), 50.0);  // what it read, not kept

  StageStats reader;  // four file groups in, a thousand documents out
  reader.documents_in = 4;
  reader.documents_out = 1000;
  reader.wall_time_s = 2.0;
  EXPECT_DOUBLE_EQ(reader.throughput_documents_per_s(), 500.0);

  StageStats idle;
  idle.documents_in = 10;
  EXPECT_DOUBLE_EQ(idle.throughput_documents_per_s(), 0.0);
}

TEST(StageStatsTest, MergeAddsCountsAndKeepsTheLongerWallTime) {
  StageStats a;
  a.documents_in = 10;
  a.wall_time_s = 3.0;
  a.dropped_by_reason["short"] = 2;
  StageStats b;
  b.documents_in = 5;
  b.wall_time_s = 1.0;
  b.dropped_by_reason["short"] = 1;
  b.dropped_by_reason["long"] = 4;
  a.merge(b);
  EXPECT_EQ(a.documents_in, 15u);
  EXPECT_DOUBLE_EQ(a.wall_time_s, 3.0);
  EXPECT_EQ(a.dropped_by_reason["short"], 3u);
  EXPECT_EQ(a.dropped_by_reason["long"], 4u);
}

}  // namespace
}  // namespace curate::backends
