#include "curate/io/file_partitioning_stage.hpp"

#include "curate/core/task_ids.hpp"
#include "io_test_util.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace curate::io {
namespace {

using testing::TempDir;
using testing::write_file;

class FilePartitioningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir_.file("data/b.jsonl"), std::string(100, 'b'));
    write_file(dir_.file("data/a.jsonl"), std::string(300, 'a'));
    write_file(dir_.file("data/sub/c.jsonl.gz"), std::string(50, 'c'));
    write_file(dir_.file("data/sub/d.json.zst"), std::string(50, 'd'));
    write_file(dir_.file("data/notes.txt"), "not input");
    write_file(dir_.file("data/.hidden.jsonl"), "hidden");
    write_file(dir_.file("data/.cache/e.jsonl"), "hidden folder");
  }

  std::vector<std::vector<std::string>> groups(FilePartitioningOptions options) {
    return FilePartitioningStage(std::move(options)).groups();
  }

  TempDir dir_;
};

TEST_F(FilePartitioningTest, FoldersAreSearchedRecursivelyAndSorted) {
  const auto files = expand_input_paths({dir_.file("data")}, default_jsonl_extensions());
  const std::vector<std::string> expected = {dir_.file("data/a.jsonl"), dir_.file("data/b.jsonl"),
                                             dir_.file("data/sub/c.jsonl.gz"),
                                             dir_.file("data/sub/d.json.zst")};
  EXPECT_EQ(files, expected);
}

TEST_F(FilePartitioningTest, GlobsFilesAndDuplicatesCombine) {
  const auto files = expand_input_paths(
      {dir_.file("data/*.jsonl"), dir_.file("data/notes.txt"), dir_.file("data/a.jsonl")},
      default_jsonl_extensions());
  const std::vector<std::string> expected = {dir_.file("data/a.jsonl"), dir_.file("data/b.jsonl"),
                                             dir_.file("data/notes.txt")};
  EXPECT_EQ(files, expected);
}

TEST_F(FilePartitioningTest, MissingPathIsAnErrorNamingItAtConstruction) {
  FilePartitioningOptions options;
  options.paths = {dir_.file("data"), dir_.file("missing.jsonl")};
  try {
    FilePartitioningStage stage(options);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find(dir_.file("missing.jsonl")), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("does not exist"), std::string::npos);
  }
  options.paths = {dir_.file("data/*.parquet")};
  EXPECT_THROW(FilePartitioningStage{options}, std::invalid_argument);
}

TEST_F(FilePartitioningTest, FolderWithoutInputIsAnError) {
  write_file(dir_.file("empty/readme.txt"), "x");
  FilePartitioningOptions options;
  options.paths = {dir_.file("empty")};
  EXPECT_THROW(FilePartitioningStage{options}, std::invalid_argument);
}

TEST_F(FilePartitioningTest, GroupsByFilesPerPartition) {
  FilePartitioningOptions options;
  options.paths = {dir_.file("data")};
  EXPECT_EQ(groups(options).size(), 4u);  // default: one file each
  options.files_per_partition = 3;
  const auto grouped = groups(options);
  ASSERT_EQ(grouped.size(), 2u);
  EXPECT_EQ(grouped[0].size(), 3u);
  EXPECT_EQ(grouped[1], std::vector<std::string>{dir_.file("data/sub/d.json.zst")});
  options.files_per_partition = 0;
  EXPECT_THROW(FilePartitioningStage{options}, std::invalid_argument);
}

TEST_F(FilePartitioningTest, GroupsByBlocksize) {
  FilePartitioningOptions options;
  options.paths = {dir_.file("data")};
  options.blocksize = 200;  // a.jsonl (300) alone; then 100 + 50 + 50
  const auto grouped = groups(options);
  ASSERT_EQ(grouped.size(), 2u);
  EXPECT_EQ(grouped[0], std::vector<std::string>{dir_.file("data/a.jsonl")});
  EXPECT_EQ(grouped[1].size(), 3u);
  options.files_per_partition = 2;
  EXPECT_THROW(FilePartitioningStage{options}, std::invalid_argument);
}

TEST_F(FilePartitioningTest, EmitsFileGroupTasksWithIdsFromTheirPaths) {
  FilePartitioningOptions options;
  options.paths = {dir_.file("data")};
  options.files_per_partition = 2;
  FilePartitioningStage stage(options);
  EXPECT_TRUE(stage.stage_spec().is_fanout_stage());
  const auto tasks = stage.process(std::make_shared<EmptyTask>("seed", "my_dataset"));
  ASSERT_EQ(tasks.size(), 2u);
  const auto& first = dynamic_cast<const FileGroupTask&>(*tasks[0]);
  EXPECT_EQ(first.files().size(), 2u);
  EXPECT_EQ(first.dataset_name(), "my_dataset");
  EXPECT_EQ(first.task_id(),
            stable_hash_id(dir_.file("data/a.jsonl") + "\n" + dir_.file("data/b.jsonl") + "\n"));
  // The same inputs give the same ids on every construction.
  const auto again = FilePartitioningStage(options).process(std::make_shared<EmptyTask>());
  EXPECT_EQ(again[1]->task_id(), tasks[1]->task_id());
  EXPECT_NE(tasks[0]->task_id(), tasks[1]->task_id());
}

}  // namespace
}  // namespace curate::io
