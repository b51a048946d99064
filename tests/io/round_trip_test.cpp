#include "curate/io/jsonl_format.hpp"
#include "curate/io/jsonl_reader_stage.hpp"
#include "curate/io/jsonl_writer_stage.hpp"

#include "io_test_util.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace curate::io {
namespace {

using nlohmann::json;
using testing::read_all;
using testing::TempDir;
using testing::write_file;

// Records that exercise what JSON text can hold; the writer must keep them exactly.
const char* const kRecords[] = {
    R"({"id":"u1","text":"caf\u00e9 \ud83d\ude00 line\nbreak \"quoted\" back\\slash \/ tab\t","lang":"fr"})",
    R"({ "text" : "spaced out" , "nested" : { "a" : [1, 2.5, {"b": null}] , "c" : "}" } })",
    R"({"text":"numbers","small":1e-7,"big":12345678901234567890,"neg":-0.0,"exp":6.02E+23,"int":-42})",
    R"({"text":"flags","t":true,"f":false,"n":null,"empty":{},"list":[]})",
    "{\"text\":\"raw utf-8 caf\xC3\xA9 \xF0\x9F\x98\x80 \xE4\xB8\xAD\xE6\x96\x87\",\"id\":17}",
    R"({"text":"","id":"empty text"})",
    R"({"meta":{"deep":[[[[["x"]]]]]},"text":"text is not first"})",
};

std::string corpus() {
  std::string text;
  for (const char* record : kRecords) text += std::string(record) + "\n";
  return text;
}

// Write `batch` with `writer` and return the written file's content.
std::string write_one(JsonlWriterStage& writer, const std::shared_ptr<DocumentBatch>& batch) {
  const auto written = writer.process(batch);
  const auto& files = dynamic_cast<const FileGroupTask&>(*written.at(0)).files();
  return testing::read_decompressed(files.at(0));
}

// Write `batches` with a writer of `options` and return the written files' content.
std::string write_all(const std::vector<std::shared_ptr<DocumentBatch>>& batches,
                      const JsonlWriterOptions& options) {
  JsonlWriterStage writer(options);
  std::string out;
  for (const auto& batch : batches) out += write_one(writer, batch);
  return out;
}

TEST(RoundTripTest, UntouchedRecordsAreWrittenByteForByte) {
  TempDir dir;
  write_file(dir.file("in/a.jsonl"), corpus());
  const auto batches = read_all({dir.file("in/a.jsonl")});
  ASSERT_EQ(batches.at(0)->num_rows(), std::size(kRecords));
  JsonlWriterOptions options;
  options.output_dir = dir.file("out");
  EXPECT_EQ(write_all(batches, options), corpus());
  JsonlWriterStage writer(options);
  writer.process(batches[0]);
  EXPECT_EQ(writer.encoder().rows_copied(), std::size(kRecords));
  EXPECT_EQ(writer.encoder().rows_patched(), 0u);
}

TEST(RoundTripTest, CompressedOutputsDecompressToTheSameBytes) {
  TempDir dir;
  write_file(dir.file("in/a.jsonl.zst"), testing::zstd_bytes(corpus()));
  const auto batches = read_all({dir.file("in/a.jsonl.zst")});
  for (const auto compression : {Compression::Gzip, Compression::Zstd}) {
    JsonlWriterOptions options;
    options.output_dir = dir.file(std::string("out-") + std::string(to_string(compression)));
    options.compression = compression;
    EXPECT_EQ(write_all(batches, options), corpus());
  }
}

TEST(RoundTripTest, CrlfInputIsWrittenWithLf) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), "{\"text\":\"a\"}\r\n{\"text\":\"b\"}");
  JsonlWriterOptions options;
  options.output_dir = dir.file("out");
  EXPECT_EQ(write_all(read_all({dir.file("a.jsonl")}), options),
            "{\"text\":\"a\"}\n{\"text\":\"b\"}\n");
}

TEST(RoundTripTest, AddedColumnsAreAppendedAndEverythingElseKept) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), corpus());
  auto batch = read_all({dir.file("a.jsonl")}).at(0);
  const std::size_t rows = batch->num_rows();
  std::vector<double> scores(rows);
  std::vector<int64_t> counts(rows);
  std::vector<uint8_t> keep(rows);
  StringColumn labels;
  for (std::size_t i = 0; i < rows; ++i) {
    scores[i] = 0.1 * static_cast<double>(i) + 1e-9;
    counts[i] = static_cast<int64_t>(i) * 1000;
    keep[i] = i % 2;
    labels.append(i == 0 ? "quote \" and \xC3\xA9" : "label");
  }
  batch->set_column("score", std::move(scores));
  batch->set_column("count", std::move(counts));
  batch->set_column("keep", std::move(keep));
  batch->set_column("label", std::move(labels));
  JsonlWriterOptions options;
  options.output_dir = dir.file("out");
  const auto written = testing::parse_lines(write_all({batch}, options));
  ASSERT_EQ(written.size(), rows);
  for (std::size_t i = 0; i < rows; ++i) {
    json expected = json::parse(kRecords[i]);
    expected["score"] = 0.1 * static_cast<double>(i) + 1e-9;
    expected["count"] = static_cast<int64_t>(i) * 1000;
    expected["keep"] = i % 2 == 1;
    expected["label"] = i == 0 ? "quote \" and \xC3\xA9" : "label";
    EXPECT_EQ(written[i], expected) << i;
  }
}

TEST(RoundTripTest, ChangedTextIsPatchedInPlace) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), corpus());
  auto batch = read_all({dir.file("a.jsonl")}).at(0);
  StringColumn text;
  for (std::size_t i = 0; i < batch->num_rows(); ++i) {
    text.append(i == 1 ? std::string("new \"text\"\n\x01 \xC3\xA9")
                       : std::string(batch->text()[i]));
  }
  batch->set_column("text", std::move(text));
  JsonlWriterOptions options;
  options.output_dir = dir.file("out");
  JsonlWriterStage writer(options);
  const auto out = write_one(writer, batch);
  EXPECT_EQ(writer.encoder().rows_patched(), 1u);
  const auto lines = testing::parse_lines(out);
  json expected = json::parse(kRecords[1]);
  expected["text"] = "new \"text\"\n\x01 \xC3\xA9";
  EXPECT_EQ(lines.at(1), expected);
  // Only the text value changed: the spacing around the other members is the original's.
  EXPECT_NE(out.find(R"({ "text" : "new \"text\"\n\u0001 )"), std::string::npos) << out;
  EXPECT_NE(out.find(R"(, "nested" : { "a" : [1, 2.5, {"b": null}] , "c" : "}" } })"),
            std::string::npos);
  // The other rows are still the original bytes.
  EXPECT_EQ(out.substr(0, std::string(kRecords[0]).size()), kRecords[0]);
}

TEST(RoundTripTest, ATextColumnSetAgainWithTheSameTextIsStillCopied) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), corpus());
  auto batch = read_all({dir.file("a.jsonl")}).at(0);
  const auto lineage_as_read = batch->column_lineage("text");
  EXPECT_EQ(batch->column_lineage(kTextAsReadColumn), lineage_as_read);
  StringColumn same;
  for (std::size_t i = 0; i < batch->num_rows(); ++i) same.append(batch->text()[i]);
  batch->set_column("text", std::move(same));
  EXPECT_NE(batch->column_lineage("text"), lineage_as_read);
  // A new column: the writer compares each row's text with the text as read.
  JsonlWriterOptions options;
  options.output_dir = dir.file("out");
  JsonlWriterStage writer(options);
  const auto out = write_one(writer, batch);
  EXPECT_EQ(out, corpus());
  EXPECT_EQ(writer.encoder().rows_copied(), std::size(kRecords));
  EXPECT_EQ(writer.encoder().rows_patched(), 0u);
}

TEST(RoundTripTest, ChangedTextIsFoundAfterRowsWereFiltered) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), corpus());
  auto batch = read_all({dir.file("a.jsonl")}).at(0);
  std::vector<uint8_t> keep(batch->num_rows(), 1);
  keep[0] = 0;
  batch = batch->filter_rows(keep);
  StringColumn text;
  for (std::size_t i = 0; i < batch->num_rows(); ++i) {
    text.append(i == 1 ? std::string("changed") : std::string(batch->text()[i]));
  }
  batch->set_column("text", std::move(text));
  JsonlWriterOptions options;
  options.output_dir = dir.file("out");
  JsonlWriterStage writer(options);
  const auto out = write_one(writer, batch);
  EXPECT_EQ(writer.encoder().rows_patched(), 1u);
  const auto lines = testing::parse_lines(out);
  ASSERT_EQ(lines.size(), std::size(kRecords) - 1);
  EXPECT_EQ(lines.at(1)["text"], "changed");
  EXPECT_EQ(lines.at(0), json::parse(kRecords[1]));
}

TEST(RoundTripTest, WithoutTheTextAsReadEveryTextIsWrittenFromTheColumn) {
  // A stage that dropped `_text_as_read` leaves nothing to compare with: the writer
  // must not assume the text is unchanged and write the old one.
  TempDir dir;
  write_file(dir.file("a.jsonl"), corpus());
  auto batch = read_all({dir.file("a.jsonl")}).at(0);
  batch->drop_column(kTextAsReadColumn);
  StringColumn text;
  for (std::size_t i = 0; i < batch->num_rows(); ++i) text.append(fmt::format("new {}", i));
  batch->set_column("text", std::move(text));
  JsonlWriterOptions options;
  options.output_dir = dir.file("out");
  JsonlWriterStage writer(options);
  const auto out = write_one(writer, batch);
  EXPECT_EQ(writer.encoder().rows_patched(), std::size(kRecords));
  const auto lines = testing::parse_lines(out);
  for (std::size_t i = 0; i < lines.size(); ++i)
    EXPECT_EQ(lines[i]["text"], fmt::format("new {}", i));
}

TEST(RoundTripTest, FilteredBatchesWriteOnlyTheKeptRows) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), corpus());
  auto batch = read_all({dir.file("a.jsonl")}).at(0);
  std::vector<uint8_t> keep(batch->num_rows(), 0);
  keep[0] = keep[2] = keep[3] = 1;
  JsonlWriterOptions options;
  options.output_dir = dir.file("out");
  EXPECT_EQ(write_all({batch->filter_rows(keep)}, options),
            std::string(kRecords[0]) + "\n" + kRecords[2] + "\n" + kRecords[3] + "\n");
  EXPECT_EQ(write_all({batch->slice(4, 2)}, options),
            std::string(kRecords[4]) + "\n" + kRecords[5] + "\n");
}

TEST(RoundTripTest, DroppedFieldsAreRemoved) {
  TempDir dir;
  write_file(dir.file("a.jsonl"),
             "{\"id\":1,\"text\":\"a\",\"url\":\"u\"}\n{\"url\":\"u\", \"text\":\"b\" ,\"x\":1}\n");
  JsonlWriterOptions options;
  options.output_dir = dir.file("out");
  options.drop_fields = {"url", "id"};
  EXPECT_EQ(write_all(read_all({dir.file("a.jsonl")}), options),
            "{\"text\":\"a\"}\n{\"text\":\"b\" ,\"x\":1}\n");
}

TEST(RoundTripTest, BatchesWithoutRawAreRenderedFromColumns) {
  TempDir dir;
  auto batch = std::make_shared<DocumentBatch>("made-by-hand", "ds", "content");
  StringColumn text;
  text.append("hello\n");
  batch->set_column("content", std::move(text));
  batch->set_column("score", std::vector<double>{0.5});
  batch->set_column("ok", std::vector<uint8_t>{1});
  JsonlWriterOptions options;
  options.output_dir = dir.file("out");
  EXPECT_EQ(write_all({batch}, options), "{\"content\":\"hello\\n\",\"score\":0.5,\"ok\":true}\n");
}

TEST(RoundTripTest, WriterNamesFilesByTaskIdAndLeavesNoTemporaries) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), corpus());
  auto batches = read_all({dir.file("a.jsonl")});
  JsonlWriterOptions options;
  options.output_dir = dir.file("out");
  options.compression = Compression::Gzip;
  JsonlWriterStage writer(options);
  const auto written = writer.process(batches.at(0));
  const auto& task = dynamic_cast<const FileGroupTask&>(*written.at(0));
  EXPECT_EQ(task.task_id(), batches[0]->task_id());
  EXPECT_EQ(task.files().at(0), dir.file("out/" + batches[0]->task_id() + ".jsonl.gz"));
  EXPECT_EQ(task.metadata()["rows_written"], std::size(kRecords));
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.file("out"))) {
    names.push_back(entry.path().filename().string());
  }
  EXPECT_EQ(names, std::vector<std::string>{batches[0]->task_id() + ".jsonl.gz"});
  EXPECT_EQ(writer.output_path("a/b c"), dir.file("out/a_b_c.jsonl.gz"));
  // Same input, same bytes: outputs are reproducible.
  const std::string first = testing::read_file(task.files()[0]);
  writer.process(batches[0]);
  EXPECT_EQ(testing::read_file(task.files()[0]), first);
}

TEST(RoundTripTest, ReadingWrittenOutputGivesTheSameRecords) {
  TempDir dir;
  write_file(dir.file("in/a.jsonl"), corpus());
  JsonlReaderOptions reading;
  reading.batch_rows = 3;
  const auto batches = read_all({dir.file("in/a.jsonl")}, reading);
  JsonlWriterOptions options;
  options.output_dir = dir.file("out");
  options.compression = Compression::Zstd;
  write_all(batches, options);
  const auto again = read_all({dir.file("out")});
  EXPECT_EQ(testing::column_values(again, "text"), testing::column_values(batches, "text"));
}

}  // namespace
}  // namespace curate::io
