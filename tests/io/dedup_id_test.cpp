// Document dedup ids: layout, and the same id for every worker count, batch size and
// file grouping; the writer leaves the column out unless asked.

#include "curate/io/dedup_id.hpp"
#include "curate/backends/local/local_executor.hpp"
#include "curate/io/jsonl_reader_stage.hpp"
#include "curate/io/jsonl_writer_stage.hpp"

#include "io_test_util.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace curate::io {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_file;

TEST(DedupIdTest, PacksFileOrdinalAndLine) {
  const std::int64_t id = make_dedup_id(5, 123);
  EXPECT_EQ(id, (std::int64_t{5} << 40) | 123);
  EXPECT_EQ(dedup_id_file(id), 5u);
  EXPECT_EQ(dedup_id_line(id), 123u);
  const std::int64_t largest = make_dedup_id(kDedupIdMaxFiles - 1, kDedupIdMaxLine);
  EXPECT_GT(largest, 0);  // never negative
  EXPECT_EQ(dedup_id_file(largest), kDedupIdMaxFiles - 1);
  EXPECT_EQ(dedup_id_line(largest), kDedupIdMaxLine);
  // Ids sort in input order: by file, then line.
  EXPECT_LT(make_dedup_id(0, kDedupIdMaxLine), make_dedup_id(1, 1));
  EXPECT_THROW(make_dedup_id(kDedupIdMaxFiles, 1), std::out_of_range);
  EXPECT_THROW(make_dedup_id(0, kDedupIdMaxLine + 1), std::out_of_range);
}

// Seven files of different sizes, with blank and bad lines (which keep their numbers),
// and records "f<file>l<line>" whose ids tell where they are.
class DedupIdReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int file = 0; file < 7; ++file) {
      std::string content;
      const int lines = 3 + file * 5;
      for (int line = 1; line <= lines; ++line) {
        if (line % 7 == 3) {
          content += "\n";  // blank: not a record
        } else if (line % 11 == 5) {
          content += "{not json\n";  // bad: skipped
        } else {
          content +=
              fmt::format(R"({{"id":"f{}l{}","text":"document {} {}"}})", file, line, file, line) +
              "\n";
          // The listing is a/part_00, a/part_02, a/part_04, a/part_06, b/part_01, ...: the
          // ordinal is the place in it, not the file's number or its place in a folder.
          const int ordinal = file % 2 == 0 ? file / 2 : 4 + file / 2;
          expected_[fmt::format("f{}l{}", file, line)] =
              make_dedup_id(static_cast<std::uint64_t>(ordinal), static_cast<std::uint64_t>(line));
        }
      }
      // Zero-padded names sort as the file numbers do; sub folders must not matter.
      write_file(dir_.file(fmt::format("{}/part_{:02}.jsonl", file % 2 ? "b" : "a", file)),
                 content);
    }
  }

  // Run the reader's two stages on a LocalExecutor and map user id -> dedup id.
  std::map<std::string, std::int64_t> read_ids(int workers, std::size_t batch_rows,
                                               std::optional<int> files_per_partition) {
    FilePartitioningOptions partitioning;
    partitioning.paths = {dir_.file("a"), dir_.file("b")};
    partitioning.files_per_partition = files_per_partition;
    JsonlReaderOptions reading;
    reading.batch_rows = batch_rows;
    reading.add_dedup_id = true;
    backends::LocalExecutor executor(nlohmann::json{{"num_cpus", workers}, {"log_level", "off"}});
    const JsonlReader reader(partitioning, reading);
    const auto outputs =
        executor.execute(reader.decompose(), {std::make_shared<EmptyTask>("seed")});
    std::map<std::string, std::int64_t> ids;
    for (const auto& task : outputs) {
      const auto& batch = dynamic_cast<const DocumentBatch&>(*task);
      const auto user_ids = batch.strings("id");
      const auto dedup_ids = batch.int64s(std::string(kDedupIdColumn));
      EXPECT_EQ(dedup_ids.size(), batch.num_rows());
      for (std::size_t i = 0; i < batch.num_rows(); ++i) {
        EXPECT_TRUE(ids.emplace(std::string(user_ids[i]), dedup_ids[i]).second);
      }
    }
    return ids;
  }

  TempDir dir_;
  std::map<std::string, std::int64_t> expected_;
};

TEST_F(DedupIdReadTest, SameIdsForEveryWorkerCountBatchSizeAndGrouping) {
  for (int workers : {1, 2, 4}) {
    for (std::size_t batch_rows : {1u, 4u, 10000u}) {
      for (std::optional<int> per_partition :
           {std::optional<int>(), std::optional<int>(2), std::optional<int>(7)}) {
        SCOPED_TRACE(fmt::format("workers={} batch_rows={} files_per_partition={}", workers,
                                 batch_rows, per_partition ? *per_partition : 0));
        EXPECT_EQ(read_ids(workers, batch_rows, per_partition), expected_);
      }
    }
  }
}

TEST_F(DedupIdReadTest, BlocksizeGroupingGivesTheSameIds) {
  FilePartitioningOptions partitioning;
  partitioning.paths = {dir_.file("a"), dir_.file("b")};
  partitioning.blocksize = 100000;  // one group of all seven files
  JsonlReaderOptions reading;
  reading.add_dedup_id = true;
  ASSERT_EQ(FilePartitioningStage(partitioning).groups().size(), 1u);
  const auto by_blocks = testing::read_all(partitioning, reading);
  partitioning.blocksize.reset();
  const auto by_files = testing::read_all(partitioning, reading);
  ASSERT_EQ(FilePartitioningStage(partitioning).groups().size(), 7u);
  const auto ids = [](const std::vector<std::shared_ptr<DocumentBatch>>& batches) {
    std::vector<std::int64_t> all;
    for (const auto& batch : batches) {
      const auto column = batch->int64s(std::string(kDedupIdColumn));
      all.insert(all.end(), column.begin(), column.end());
    }
    return all;
  };
  EXPECT_EQ(ids(by_blocks), ids(by_files));
  EXPECT_EQ(ids(by_files).size(), expected_.size());
}

TEST(DedupIdReaderTest, WithoutTheOptionThereIsNoColumn) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), "{\"text\":\"x\"}\n");
  const auto batches = testing::read_all({dir.file("a.jsonl")});
  EXPECT_FALSE(batches.at(0)->has_column(kDedupIdColumn));
}

TEST(DedupIdReaderTest, AFileGroupWithoutOrdinalsIsAClearError) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), "{\"text\":\"x\"}\n");
  JsonlReaderOptions reading;
  reading.add_dedup_id = true;
  JsonlReaderStage reader(reading);
  const auto group = std::make_shared<FileGroupTask>("hand_made", "",
                                                     std::vector<std::string>{dir.file("a.jsonl")});
  try {
    reader.process(group);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), HasSubstr("add_dedup_id needs each file's ordinal"));
    EXPECT_THAT(error.what(), HasSubstr("'hand_made'"));
  }
}

TEST(DedupIdReaderTest, WriterLeavesTheColumnOutUnlessAsked) {
  TempDir dir;
  const std::string corpus = "{\"id\":\"a\",\"text\":\"one\"}\n{\"text\":\"two\", \"x\": 1}\n";
  write_file(dir.file("in/a.jsonl"), corpus);
  JsonlReaderOptions reading;
  reading.add_dedup_id = true;
  const auto batches = testing::read_all({dir.file("in/a.jsonl")}, reading);
  ASSERT_EQ(batches.size(), 1u);
  JsonlWriterOptions options;
  options.output_dir = dir.file("out");
  {
    JsonlWriterStage writer(options);
    const auto written = writer.process(batches[0]);
    const auto& files = dynamic_cast<const FileGroupTask&>(*written.at(0)).files();
    EXPECT_EQ(testing::read_file(files.at(0)), corpus);
  }
  options.output_dir = dir.file("out_internal");
  options.write_internal_columns = true;
  JsonlWriterStage writer(options);
  const auto written = writer.process(batches[0]);
  const auto& files = dynamic_cast<const FileGroupTask&>(*written.at(0)).files();
  const auto lines = testing::parse_lines(testing::read_file(files.at(0)));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["_curate_dedup_id"], make_dedup_id(0, 1));
  EXPECT_EQ(lines[1]["_curate_dedup_id"], make_dedup_id(0, 2));
  EXPECT_EQ(lines[1]["x"], 1);
}

}  // namespace
}  // namespace curate::io
