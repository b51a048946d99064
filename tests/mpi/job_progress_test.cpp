// The live counters a rank's heartbeat carries to rank 0 and how rank 0 adds them up.

#include "curate/backends/mpi/job_progress.hpp"

#include <gtest/gtest.h>

namespace {

using curate::backends::StageProgress;
using curate::backends::mpi::add_progress;
using curate::backends::mpi::encode_progress;

StageProgress stage(const std::string& name, std::uint64_t done, const std::string& unit) {
  StageProgress progress;
  progress.name = name;
  progress.workers = 2;
  progress.tasks_done = done;
  progress.tasks_out = done + 1;
  progress.items_in = done * 10;
  progress.unit_in = unit;
  progress.items_out = done * 9;
  progress.unit_out = unit;
  progress.queue_depth = 3;
  return progress;
}

TEST(JobProgress, AddsAnotherRanksCountersStageByStage) {
  std::vector<StageProgress> total = {stage("read", 1, ""), stage("filter", 2, "docs")};
  total[0].unit_in.clear();
  add_progress(total, encode_progress({stage("read", 5, "files"), stage("filter", 7, "other")}));
  EXPECT_EQ(total[0].name, "read");
  EXPECT_EQ(total[0].workers, 4);
  EXPECT_EQ(total[0].tasks_done, 6u);
  EXPECT_EQ(total[0].tasks_out, 8u);
  EXPECT_EQ(total[0].items_in, 60u);
  EXPECT_EQ(total[0].unit_in, "files");  // taken where this rank had none yet
  EXPECT_EQ(total[1].items_out, 81u);
  EXPECT_EQ(total[1].unit_out, "docs");  // kept
  EXPECT_EQ(total[1].queue_depth, 6u);
}

TEST(JobProgress, IgnoresEmptyMalformedAndExtraStages) {
  std::vector<StageProgress> total = {stage("read", 1, "files")};
  const std::vector<StageProgress> before = total;
  add_progress(total, "");
  add_progress(total, "{not json");
  add_progress(total, "[[1, 2]]");
  add_progress(total, R"([[1, 2, 3, 4, "docs", 5, 6, "seven"]])");
  EXPECT_EQ(total[0].tasks_done, before[0].tasks_done);
  add_progress(total, encode_progress({stage("read", 1, "files"), stage("more", 4, "docs")}));
  ASSERT_EQ(total.size(), 1u);
  EXPECT_EQ(total[0].tasks_done, 2u);
}

}  // namespace
