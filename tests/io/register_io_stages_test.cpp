#include "curate/io/register_io_stages.hpp"

#include "curate/core/composite_stage.hpp"
#include "curate/io/jsonl_reader_stage.hpp"
#include "curate/io/jsonl_writer_stage.hpp"
#include "io_test_util.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace curate::io {
namespace {

using nlohmann::json;
using testing::TempDir;
using testing::write_file;

class RegisterIoStagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    register_io_stages(registry_);
    write_file(dir_.file("in/a.jsonl"), "{\"text\":\"x\"}\n");
    write_file(dir_.file("in/b.jsonl"), "{\"text\":\"y\"}\n");
  }
  StageRegistry registry_;
  TempDir dir_;
};

TEST_F(RegisterIoStagesTest, RegistersTheThreeStages) {
  EXPECT_EQ(registry_.names(),
            (std::vector<std::string>{"file_partitioning", "jsonl_reader", "jsonl_writer"}));
  EXPECT_THROW(register_io_stages(registry_), std::invalid_argument);
}

TEST_F(RegisterIoStagesTest, BuildsAReaderFromParameters) {
  const auto stage = registry_.create("jsonl_reader", json{{"paths", dir_.file("in")},
                                                           {"blocksize", "64MB"},
                                                           {"fields", {"url"}},
                                                           {"text_field", "text"},
                                                           {"batch_rows", 100},
                                                           {"max_line_bytes", "1MiB"},
                                                           {"strict", true},
                                                           {"log_dir", dir_.file("logs")}});
  const auto* composite = dynamic_cast<const CompositeStage*>(stage.get());
  ASSERT_NE(composite, nullptr);
  const auto parts = composite->decompose();
  ASSERT_EQ(parts.size(), 2u);
  const auto& partitioning = dynamic_cast<const FilePartitioningStage&>(*parts[0]);
  EXPECT_EQ(partitioning.groups().size(), 1u);  // both files fit in 64 MB
  const auto& reader = dynamic_cast<const JsonlReaderStage&>(*parts[1]);
  EXPECT_EQ(reader.options().batch_rows, 100u);
  EXPECT_EQ(reader.options().max_line_bytes, 1u << 20);
  EXPECT_TRUE(reader.options().strict);
  EXPECT_EQ(reader.options().schema.fields, std::vector<std::string>{"url"});
}

TEST_F(RegisterIoStagesTest, ReaderParameterErrorsNameTheProblem) {
  EXPECT_THROW(registry_.create("jsonl_reader", json::object()), std::invalid_argument);
  try {
    registry_.create("jsonl_reader", json{{"paths", {dir_.file("nope.jsonl")}}});
    FAIL();
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find(dir_.file("nope.jsonl")), std::string::npos);
  }
  EXPECT_THROW(
      registry_.create("jsonl_reader", json{{"paths", dir_.file("in")}, {"blocksize", "big"}}),
      std::invalid_argument);
  EXPECT_THROW(registry_.create("jsonl_reader", json{{"paths", dir_.file("in")}, {"batchrows", 5}}),
               std::invalid_argument);
  EXPECT_THROW(registry_.create("jsonl_reader", json{{"paths", {1, 2}}}), std::invalid_argument);
}

TEST_F(RegisterIoStagesTest, BuildsAWriterFromParameters) {
  const auto stage = registry_.create(
      "jsonl_writer",
      json{{"output_dir", dir_.file("out")}, {"compression", "zstd"}, {"drop_fields", "url"}});
  const auto& writer = dynamic_cast<const JsonlWriterStage&>(*stage);
  EXPECT_EQ(writer.options().compression, Compression::Zstd);
  EXPECT_EQ(writer.options().drop_fields, std::vector<std::string>{"url"});
  EXPECT_THROW(registry_.create("jsonl_writer", json::object()), std::invalid_argument);
  EXPECT_THROW(registry_.create("jsonl_writer",
                                json{{"output_dir", dir_.file("out")}, {"compression", "lzma"}}),
               std::invalid_argument);
}

TEST_F(RegisterIoStagesTest, BuildsFilePartitioning) {
  const auto stage = registry_.create(
      "file_partitioning", json{{"paths", {dir_.file("in/a.jsonl"), dir_.file("in/b.jsonl")}},
                                {"files_per_partition", 2}});
  EXPECT_EQ(dynamic_cast<const FilePartitioningStage&>(*stage).groups().size(), 1u);
}

}  // namespace
}  // namespace curate::io
