// RunStats: the per-stage figures that stats.json and the end-of-run table show.

#include "curate/backends/run_stats.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace curate::backends {
namespace {

StageStats counts(std::uint64_t in, std::string unit_in, std::uint64_t out, std::string unit_out) {
  StageStats stage;
  stage.items_in = in;
  stage.unit_in = std::move(unit_in);
  stage.items_out = out;
  stage.unit_out = std::move(unit_out);
  return stage;
}

TEST(StageStatsTest, ThroughputCountsTheDocumentsTheStageHandled) {
  StageStats filter = counts(100, "documents", 80, "documents");
  filter.wall_time_s = 2.0;
  EXPECT_DOUBLE_EQ(filter.throughput_documents_per_s(), 50.0);  // what it read, not kept

  StageStats reader = counts(4, "files", 1000, "documents");  // four files in
  reader.wall_time_s = 2.0;
  EXPECT_EQ(reader.documents_in(), 0u);
  EXPECT_EQ(reader.documents_out(), 1000u);
  EXPECT_DOUBLE_EQ(reader.throughput_documents_per_s(), 500.0);

  StageStats partitioning = counts(0, "", 4, "files");  // no documents flow
  partitioning.wall_time_s = 1.0;
  EXPECT_FALSE(partitioning.moves_documents());
  EXPECT_DOUBLE_EQ(partitioning.throughput_documents_per_s(), 0.0);

  StageStats idle = counts(10, "documents", 0, "");
  EXPECT_DOUBLE_EQ(idle.throughput_documents_per_s(), 0.0);
}

TEST(StageStatsTest, MergeAddsCountsAndKeepsTheLongerWallTime) {
  StageStats a = counts(10, "documents", 0, "");
  a.wall_time_s = 3.0;
  a.dropped_by_reason["short"] = 2;
  StageStats b = counts(5, "documents", 2, "files");
  b.wall_time_s = 1.0;
  b.dropped_by_reason["short"] = 1;
  b.dropped_by_reason["long"] = 4;
  a.merge(b);
  EXPECT_EQ(a.items_in, 15u);
  EXPECT_EQ(a.unit_in, "documents");
  EXPECT_EQ(a.items_out, 2u);
  EXPECT_EQ(a.unit_out, "files");
  EXPECT_DOUBLE_EQ(a.wall_time_s, 3.0);
  EXPECT_EQ(a.dropped_by_reason["short"], 3u);
  EXPECT_EQ(a.dropped_by_reason["long"], 4u);
  a.merge(counts(1, "files", 0, ""));
  EXPECT_EQ(a.unit_in, "items");  // mixed units
}

TEST(RunStatsTest, JsonNamesTheUnitBesideEachCount) {
  RunStats stats;
  stats.executor = "LocalExecutor";
  stats.stages = {counts(0, "", 4, "files"), counts(4, "files", 2000, "documents"),
                  counts(1802, "documents", 8, "files")};
  stats.stages[0].name = "file_partitioning";
  stats.stages[1].name = "read";
  stats.stages[2].name = "write";
  const auto json = stats.to_json();
  const auto& read = json["stages"][1];
  EXPECT_EQ(read["items_in"], 4);
  EXPECT_EQ(read["items_in_unit"], "files");
  EXPECT_EQ(read["items_out"], 2000);
  EXPECT_EQ(read["items_out_unit"], "documents");
  EXPECT_EQ(read["documents_in"], 0);
  EXPECT_EQ(read["documents_out"], 2000);
  EXPECT_TRUE(json["stages"][0]["items_in_unit"].is_null());
  EXPECT_TRUE(json["stages"][0]["throughput_documents_per_s"].is_null());
  EXPECT_EQ(RunStats::from_json(json).to_json(), json);

  const std::string table = stats.to_table();
  EXPECT_THAT(table, ::testing::ContainsRegex("file_partitioning .* - > 4 files "));
  EXPECT_THAT(table, ::testing::ContainsRegex("read .* 4 files > 2000 docs "));
  EXPECT_THAT(table, ::testing::ContainsRegex("write .* 1802 docs > 8 files "));
}

TEST(RunStatsTest, FormatsCountsWithTheirUnit) {
  EXPECT_EQ(format_item_count(0, ""), "-");
  EXPECT_EQ(format_item_count(1, "files"), "1 file");
  EXPECT_EQ(format_item_count(2000, "documents"), "2000 docs");
  EXPECT_EQ(format_item_count(1'200'000, "documents"), "1.20M docs");
  EXPECT_EQ(format_item_count(3, ""), "3 items");
}

}  // namespace
}  // namespace curate::backends
