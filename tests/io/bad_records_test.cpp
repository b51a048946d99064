#include "curate/io/bad_record_sink.hpp"
#include "curate/io/jsonl_format.hpp"
#include "curate/io/jsonl_reader_stage.hpp"

#include "io_test_util.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <thread>

namespace curate::io {
namespace {

using nlohmann::json;
using testing::column_values;
using testing::read_all;
using testing::TempDir;
using testing::write_file;

class BadRecordsTest : public ::testing::Test {
 protected:
  JsonlReaderOptions options() const {
    JsonlReaderOptions options;
    options.log_dir = dir_.file("logs");
    return options;
  }
  std::vector<json> errors() const {
    const std::string path = dir_.file("logs/errors.jsonl");
    if (!std::filesystem::exists(path)) return {};
    return testing::parse_lines(testing::read_file(path));
  }
  static json error(const std::string& file, int line, const std::string& reason) {
    return json{{"file", file}, {"line", line}, {"reason", reason}};
  }
  // Sum a metadata counter over batches.
  static json by_reason(const std::vector<std::shared_ptr<DocumentBatch>>& batches) {
    json total = json::object();
    for (const auto& batch : batches) {
      for (const auto& [reason, count] : batch->metadata()[kBadRecordsByReasonKey].items()) {
        total[reason] = total.value(reason, 0) + count.get<int>();
      }
    }
    return total;
  }

  TempDir dir_;
};

TEST_F(BadRecordsTest, EachBadLineIsSkippedCountedAndLoggedWhileGoodOnesArrive) {
  const std::string file = dir_.file("mixed.jsonl");
  write_file(file,
             "{\"text\":\"good1\"}\n"          // 1
             "not json at all\n"               // 2
             "[\"an\",\"array\"]\n"            // 3
             "\"a string\"\n"                  // 4
             "{\"text\":\"x\"} trailing\n"     // 5
             "{\"text\":\"x\",\"n\":tru}\n"    // 6: bad scalar after the text
             "{\"title\":\"no text\"}\n"       // 7
             "{\"text\":null}\n"               // 8
             "{\"text\":42}\n"                 // 9
             "{\"text\":\"bad \xff byte\"}\n"  // 10
             "{\"text\":\"good2\"}\n"          // 11
             "{\"text\":\"" +
                 std::string(300, 'x') +
                 "\"}\n"                   // 12: too long
                 "\n"                      // 13: blank, not a record
                 "{\"text\":\"good3\"}");  // 14
  JsonlReaderOptions reading = options();
  reading.max_line_bytes = 200;
  JsonlReader reader(
      [&] {
        FilePartitioningOptions partitioning;
        partitioning.paths = {file};
        return partitioning;
      }(),
      reading);
  const auto stages = reader.decompose();
  std::vector<std::shared_ptr<DocumentBatch>> batches;
  for (const auto& group : stages[0]->process(std::make_shared<EmptyTask>())) {
    for (const auto& task : stages[1]->process(group)) {
      batches.push_back(std::dynamic_pointer_cast<DocumentBatch>(task));
    }
  }
  EXPECT_EQ(column_values(batches, "text"), (std::vector<std::string>{"good1", "good2", "good3"}));
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0]->metadata()[kBadRecordsKey], 10);
  EXPECT_EQ(by_reason(batches), (json{{"not_a_json_object", 5},
                                      {"missing_text_field", 3},
                                      {"invalid_utf8", 1},
                                      {"line_too_long", 1}}));
  const std::vector<json> expected = {
      error(file, 2, "not_a_json_object"),  error(file, 3, "not_a_json_object"),
      error(file, 4, "not_a_json_object"),  error(file, 5, "not_a_json_object"),
      error(file, 6, "not_a_json_object"),  error(file, 7, "missing_text_field"),
      error(file, 8, "missing_text_field"), error(file, 9, "missing_text_field"),
      error(file, 10, "invalid_utf8"),      error(file, 12, "line_too_long")};
  EXPECT_EQ(errors(), expected);
  const auto& sink = dynamic_cast<const JsonlReaderStage&>(*stages[1]).bad_record_sink();
  EXPECT_EQ(sink->total(), 10u);
  EXPECT_EQ(sink->count(BadRecordReason::MissingTextField), 3u);
}

TEST_F(BadRecordsTest, TruncatedGzipKeepsRecordsBeforeTheDamage) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "{\"text\":\"record " + std::to_string(i) + "\"}\n";
  const std::string compressed = testing::gzip_bytes(text);
  const std::string file = dir_.file("cut.jsonl.gz");
  write_file(file, compressed.substr(0, compressed.size() * 2 / 3));
  const auto batches = read_all({file}, options());
  const auto texts = column_values(batches, "text");
  ASSERT_GT(texts.size(), 100u);
  ASSERT_LT(texts.size(), 5000u);
  for (std::size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(texts[i], "record " + std::to_string(i));
  EXPECT_EQ(by_reason(batches), (json{{"truncated_compressed_stream", 1}}));
  const auto logged = errors();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0],
            error(file, static_cast<int>(texts.size()) + 1, "truncated_compressed_stream"));
}

TEST_F(BadRecordsTest, TruncatedZstdKeepsRecordsBeforeTheDamage) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "{\"text\":\"record " + std::to_string(i) + "\"}\n";
  const std::string compressed = testing::zstd_bytes(text);
  const std::string file = dir_.file("cut.jsonl.zst");
  write_file(file, compressed.substr(0, compressed.size() - 10));
  const auto texts = column_values(read_all({file}, options()), "text");
  ASSERT_LT(texts.size(), 5000u);
  for (std::size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(texts[i], "record " + std::to_string(i));
  const auto logged = errors();
  ASSERT_EQ(logged.size(), 1u);
  EXPECT_EQ(logged[0]["reason"], "truncated_compressed_stream");
  EXPECT_EQ(logged[0]["line"], texts.size() + 1);
}

TEST_F(BadRecordsTest, CorruptCompressedDataIsReported) {
  const std::string file = dir_.file("junk.jsonl.zst");
  write_file(file, "this is not zstd");
  EXPECT_TRUE(read_all({file}, options()).empty());
  EXPECT_EQ(errors(), std::vector<json>{error(file, 1, "corrupt_compressed_stream")});
}

TEST_F(BadRecordsTest, BadRecordsInAGroupWithNoGoodRecordGoToTheLogOnly) {
  const std::string file = dir_.file("all_bad.jsonl");
  write_file(file, "oops\n{\"x\":1}\n");
  EXPECT_TRUE(read_all({file}, options()).empty());
  EXPECT_EQ(errors().size(), 2u);
}

TEST_F(BadRecordsTest, StrictModeStopsAtTheFirstBadRecordWithFileAndLine) {
  const std::string file = dir_.file("strict.jsonl");
  write_file(file, "{\"text\":\"ok\"}\n{\"text\":\"ok\"}\n{\"no_text\":1}\n{\"text\":\"ok\"}\n");
  JsonlReaderOptions reading = options();
  reading.strict = true;
  try {
    read_all({file}, reading);
    FAIL() << "strict mode must throw";
  } catch (const std::runtime_error& failure) {
    EXPECT_NE(std::string(failure.what()).find(file + ":3: missing_text_field"), std::string::npos)
        << failure.what();
  }
  EXPECT_EQ(errors(), std::vector<json>{error(file, 3, "missing_text_field")});

  const std::string cut = dir_.file("strict.jsonl.gz");
  const std::string compressed = testing::gzip_bytes("{\"text\":\"ok\"}\n{\"text\":\"ok\"}\n");
  write_file(cut, compressed.substr(0, compressed.size() - 5));
  EXPECT_THROW(read_all({cut}, reading), std::runtime_error);
}

TEST_F(BadRecordsTest, WithoutALogFolderBadRecordsAreStillCounted) {
  const std::string file = dir_.file("a.jsonl");
  write_file(file, "{\"text\":\"ok\"}\nbad\n");
  const auto batches = read_all({file});
  EXPECT_EQ(batches.at(0)->metadata()[kBadRecordsKey], 1);
  EXPECT_FALSE(std::filesystem::exists(dir_.file("logs")));
}

TEST_F(BadRecordsTest, SinkIsSafeToShareBetweenThreads) {
  BadRecordSink sink(dir_.file("logs"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 250; ++i) {
        sink.report("file" + std::to_string(t), static_cast<std::uint64_t>(i + 1),
                    BadRecordReason::InvalidUtf8);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(sink.count(BadRecordReason::InvalidUtf8), 1000u);
  EXPECT_EQ(sink.counts(), (std::map<std::string, std::uint64_t>{{"invalid_utf8", 1000}}));
  EXPECT_EQ(errors().size(), 1000u);  // every line whole and parseable
}

}  // namespace
}  // namespace curate::io
