// Exact deduplication: the removal list equals a plain hash-map computation, is the same
// bytes for every worker count, batch size and file grouping, and the removal pass keeps
// exactly the first document of each group.

#include "curate/backends/local/local_executor.hpp"
#include "curate/dedup/exact/exact_deduplication_workflow.hpp"
#include "curate/dedup/exact/exact_duplicates.hpp"
#include "curate/io/jsonl_reader_stage.hpp"

#include "dedup/dedup_test_util.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <sstream>

namespace curate::dedup {
namespace {

using testing::Document;
using ::testing::HasSubstr;
using testing::TempDir;

backends::LocalExecutor executor_for(int workers) {
  return backends::LocalExecutor(nlohmann::json{{"num_cpus", workers}, {"log_level", "off"}});
}

// The removal list's (id, kept_id) pairs, file by file, line by line.
std::vector<std::pair<std::string, std::string>> read_removals(const std::string& folder) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, content] : testing::folder_contents(folder)) {
    EXPECT_THAT(name, ::testing::MatchesRegex("part\\.[0-9]{5}\\.jsonl"));
    std::istringstream lines(content);
    for (std::string line; std::getline(lines, line);) {
      const auto record = nlohmann::json::parse(line);
      EXPECT_EQ(record.size(), 2u) << line;  // only id and kept_id
      out.emplace_back(record.at("id").get<std::string>(), record.at("kept_id").get<std::string>());
    }
  }
  return out;
}

class ExactDeduplicationTest : public ::testing::Test {
 protected:
  ExactDeduplicationParams params_for(const std::string& output) const {
    ExactDeduplicationParams params;
    params.input_path = {dir_.file("in")};
    params.output_path = dir_.file(output);
    params.num_partitions = 7;
    return params;
  }

  ExactDeduplicationStats run(ExactDeduplicationParams params, int workers = 2) {
    auto executor = executor_for(workers);
    return ExactDeduplicationWorkflow(std::move(params)).run(executor);
  }

  TempDir dir_;
};

TEST_F(ExactDeduplicationTest, RemovalListEqualsAHashMapComputation) {
  const auto documents = testing::write_corpus(dir_.file("in"), 5, 3000, 400, 1);
  const auto expected = testing::expected_removals(documents);
  ASSERT_GT(expected.size(), 2000u);
  const auto stats = run(params_for("out"));
  auto removals = read_removals(stats.removal_list_dir);
  EXPECT_EQ(std::set(removals.begin(), removals.end()), std::set(expected.begin(), expected.end()));
  EXPECT_EQ(removals.size(), expected.size());
  EXPECT_EQ(stats.documents, documents.size());
  EXPECT_EQ(stats.removed, expected.size());
  std::set<std::string> kept;
  for (const auto& [id, kept_id] : expected) kept.insert(kept_id);
  EXPECT_EQ(stats.duplicate_groups, kept.size());
}

TEST_F(ExactDeduplicationTest, EachPartFileListsRemovalsInInputOrder) {
  const auto documents = testing::write_corpus(dir_.file("in"), 3, 2000, 100, 2);
  std::map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < documents.size(); ++i) position[documents[i].id] = i;
  const auto stats = run(params_for("out"));
  for (const auto& [name, content] : testing::folder_contents(stats.removal_list_dir)) {
    std::istringstream lines(content);
    std::size_t previous = 0;
    for (std::string line; std::getline(lines, line);) {
      const auto record = nlohmann::json::parse(line);
      const std::size_t removed = position.at(record["id"].get<std::string>());
      EXPECT_LT(position.at(record["kept_id"].get<std::string>()), removed);
      EXPECT_GE(removed, previous) << name;
      previous = removed;
    }
  }
}

TEST_F(ExactDeduplicationTest, SameBytesForEveryWorkerCountBatchSizeAndGrouping) {
  testing::write_corpus(dir_.file("in"), 6, 2500, 300, 3);
  const auto reference = testing::folder_contents(run(params_for("reference"), 1).removal_list_dir);
  ASSERT_FALSE(reference.empty());
  int variant = 0;
  for (int workers : {1, 2, 4}) {
    for (std::size_t batch_rows : {1u, 37u, 10000u}) {
      for (std::optional<int> per_partition : {std::optional<int>(), std::optional<int>(4)}) {
        SCOPED_TRACE(fmt::format("workers={} batch_rows={} files_per_partition={}", workers,
                                 batch_rows, per_partition.value_or(0)));
        auto params = params_for(fmt::format("out{}", variant++));
        params.batch_rows = batch_rows;
        params.files_per_partition = per_partition;
        EXPECT_EQ(testing::folder_contents(run(params, workers).removal_list_dir), reference);
      }
    }
  }
  // Repeated runs into the same folder, replacing it.
  auto params = params_for("reference");
  params.overwrite = true;
  EXPECT_EQ(testing::folder_contents(run(params, 4).removal_list_dir), reference);
}

TEST_F(ExactDeduplicationTest, Md5GroupsAsXxh3Does) {
  testing::write_corpus(dir_.file("in"), 2, 1500, 200, 4);
  const auto xxh3 = read_removals(run(params_for("xxh3")).removal_list_dir);
  auto params = params_for("md5");
  params.hash = TextHash::Md5;
  const auto md5 = read_removals(run(params).removal_list_dir);
  EXPECT_EQ(std::set(md5.begin(), md5.end()), std::set(xxh3.begin(), xxh3.end()));
  EXPECT_FALSE(md5.empty());
}

TEST_F(ExactDeduplicationTest, CorpusWithoutDuplicatesListsNothing) {
  const auto documents = testing::write_corpus(dir_.file("in"), 3, 500, 0, 5);
  const auto stats = run(params_for("out"));
  EXPECT_EQ(stats.documents, 500u);
  EXPECT_EQ(stats.removed, 0u);
  EXPECT_EQ(stats.duplicate_groups, 0u);
  const auto files = testing::folder_contents(stats.removal_list_dir);
  EXPECT_FALSE(files.empty());  // empty part files: the list exists and loads
  for (const auto& [name, content] : files) EXPECT_EQ(content, "") << name;
}

TEST_F(ExactDeduplicationTest, AllIdenticalDocumentsKeepTheFirst) {
  std::string content;
  for (int i = 0; i < 300; ++i) content += fmt::format(R"({{"id":"d{}","text":"same"}})", i) + "\n";
  testing::write_file(dir_.file("in/a.jsonl"), content.substr(0, content.size() / 2 + 1));
  testing::write_file(dir_.file("in/b.jsonl"), content.substr(content.size() / 2 + 1));
  auto params = params_for("out");
  params.perform_removal = true;
  const auto stats = run(params, 4);
  EXPECT_EQ(stats.documents, 300u);
  EXPECT_EQ(stats.duplicate_groups, 1u);
  EXPECT_EQ(stats.removed, 299u);
  EXPECT_EQ(stats.kept_written, 1u);
  const auto removals = read_removals(stats.removal_list_dir);
  ASSERT_EQ(removals.size(), 299u);
  for (std::size_t i = 0; i < removals.size(); ++i) {
    EXPECT_EQ(removals[i].first, fmt::format("d{}", i + 1));
    EXPECT_EQ(removals[i].second, "d0");
  }
  std::string kept;
  for (const auto& [name, text] : testing::folder_contents(stats.deduplicated_dir)) kept += text;
  EXPECT_EQ(kept, "{\"id\":\"d0\",\"text\":\"same\"}\n");
}

TEST_F(ExactDeduplicationTest, EmptyTextsAreDuplicatesOfEachOther) {
  testing::write_file(dir_.file("in/a.jsonl"),
                      "{\"id\":\"a\",\"text\":\"\"}\n{\"id\":\"b\",\"text\":\"x\"}\n"
                      "{\"id\":\"c\",\"text\":\"\"}\n{\"id\":\"d\",\"text\":\" \"}\n");
  const auto removals = read_removals(run(params_for("out")).removal_list_dir);
  EXPECT_EQ(removals, (std::vector<std::pair<std::string, std::string>>{{"c", "a"}}));
}

TEST_F(ExactDeduplicationTest, RemovalWritesEveryFirstDocumentByteForByte) {
  const auto documents = testing::write_corpus(dir_.file("in"), 4, 2000, 250, 6);
  std::set<std::string> removed;
  for (const auto& [id, kept] : testing::expected_removals(documents)) removed.insert(id);
  std::multiset<std::string> expected;
  for (const Document& doc : documents) {
    if (!removed.contains(doc.id)) expected.insert(doc.line + "\n");
  }
  auto params = params_for("out");
  params.perform_removal = true;
  const auto stats = run(params, 2);
  EXPECT_EQ(stats.kept_written, expected.size());
  std::multiset<std::string> written;
  for (const auto& [name, content] : testing::folder_contents(stats.deduplicated_dir)) {
    std::istringstream lines(content);
    for (std::string line; std::getline(lines, line);) written.insert(line + "\n");
  }
  EXPECT_EQ(written, expected);
}

TEST_F(ExactDeduplicationTest, RefusesToMixWithAnEarlierRun) {
  testing::write_corpus(dir_.file("in"), 1, 50, 10, 7);
  run(params_for("out"));
  try {
    run(params_for("out"));
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("is not empty"));
    EXPECT_THAT(error.what(), HasSubstr("overwrite"));
  }
}

TEST_F(ExactDeduplicationTest, BadParametersAreReportedAtConstruction) {
  auto params = params_for("out");
  params.input_path = {dir_.file("missing")};
  EXPECT_THROW(ExactDeduplicationWorkflow{params}, std::invalid_argument);
  testing::write_corpus(dir_.file("in"), 1, 10, 5, 8);
  params = params_for("out");
  params.num_partitions = 0;
  try {
    ExactDeduplicationWorkflow workflow(params);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), HasSubstr("num_partitions must be at least 1"));
  }
}

TEST_F(ExactDeduplicationTest, ReaderWithoutDedupIdsIsAClearError) {
  testing::write_corpus(dir_.file("in"), 1, 10, 5, 9);
  io::FilePartitioningOptions partitioning;
  partitioning.paths = {dir_.file("in")};
  Pipeline pipeline(
      "no_ids", {std::make_shared<io::JsonlReader>(partitioning, io::JsonlReaderOptions{}),
                 std::make_shared<ExactDuplicates>(ExactDuplicatesOptions{}, dir_.file("out"))});
  auto executor = executor_for(1);
  try {
    pipeline.run(executor);
    FAIL() << "expected the run to fail";
  } catch (const std::exception& error) {
    EXPECT_THAT(error.what(), HasSubstr("set add_dedup_id: true on the jsonl_reader"));
  }
}

TEST(TextHasherTest, KnownDigests) {
  const auto hex = [](const Digest128& digest) {
    std::string out;
    for (std::uint8_t byte : digest) out += fmt::format("{:02x}", byte);
    return out;
  };
  TextHasher md5(TextHash::Md5);
  // RFC 1321's test suite.
  EXPECT_EQ(hex(md5.hash("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex(md5.hash("abc")), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(hex(md5.hash("message digest")), "f96b697d7cb7938d525a2f31aaf161d0");
  TextHasher copy(md5);
  EXPECT_EQ(hex(copy.hash("abc")), "900150983cd24fb0d6963f7d28e17f72");
  TextHasher xxh3(TextHash::Xxh3_128);
  EXPECT_EQ(xxh3.hash("abc"), xxh3.hash("abc"));
  EXPECT_NE(xxh3.hash("abc"), xxh3.hash("abd"));
  EXPECT_EQ(text_hash_from_name("md5"), TextHash::Md5);
  EXPECT_EQ(text_hash_from_name("xxh3_128"), TextHash::Xxh3_128);
  EXPECT_THROW(text_hash_from_name("sha1"), std::invalid_argument);
}

}  // namespace
}  // namespace curate::dedup
