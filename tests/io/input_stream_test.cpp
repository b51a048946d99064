#include "curate/io/input_stream.hpp"
#include "curate/io/compression.hpp"

#include "io_test_util.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace curate::io {
namespace {

using testing::gzip_bytes;
using testing::zstd_bytes;

// Read a stream to its end in pieces of `piece` bytes.
std::string drain(InputStream& stream, std::size_t piece = 7) {
  std::string out;
  std::string buffer(piece, '\0');
  while (const std::size_t got = stream.read(buffer.data(), buffer.size())) {
    out.append(buffer, 0, got);
  }
  return out;
}

std::string sample_text() {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "{\"text\":\"line " + std::to_string(i) + "\"}\n";
  return text;
}

TEST(CompressionTest, ChoosesCodecByExtension) {
  EXPECT_EQ(compression_from_path("a/b.jsonl.gz"), Compression::Gzip);
  EXPECT_EQ(compression_from_path("b.jsonl.zst"), Compression::Zstd);
  EXPECT_EQ(compression_from_path("b.jsonl"), Compression::None);
  EXPECT_EQ(compression_from_name("gzip"), Compression::Gzip);
  EXPECT_EQ(compression_from_name("ZSTD"), Compression::Zstd);
  EXPECT_EQ(compression_from_name("none"), Compression::None);
  EXPECT_THROW(compression_from_name("bz2"), std::invalid_argument);
  EXPECT_EQ(compression_suffix(Compression::Zstd), ".zst");
}

TEST(CompressionTest, ParsesByteSizes) {
  EXPECT_EQ(parse_byte_size("1024"), 1024u);
  EXPECT_EQ(parse_byte_size("64MB"), 64'000'000u);
  EXPECT_EQ(parse_byte_size("64 MiB"), 64u << 20);
  EXPECT_EQ(parse_byte_size("1.5GiB"), 3u << 29);
  EXPECT_EQ(parse_byte_size("512k"), 512u << 10);
  EXPECT_THROW(parse_byte_size("lots"), std::invalid_argument);
  EXPECT_THROW(parse_byte_size("12 parsecs"), std::invalid_argument);
  EXPECT_THROW(parse_byte_size("-5MB"), std::invalid_argument);
}

TEST(InputStreamTest, ReadsMemory) {
  const std::string text = sample_text();
  auto stream = open_memory_stream(text);
  EXPECT_EQ(drain(*stream), text);
  EXPECT_EQ(stream->damage(), StreamDamage::None);
}

TEST(InputStreamTest, DecodesGzipAndConcatenatedMembers) {
  const std::string text = sample_text();
  const std::string both = gzip_bytes(text) + gzip_bytes("tail\n");
  auto stream = open_decompressing_stream(open_memory_stream(both), Compression::Gzip);
  EXPECT_EQ(drain(*stream, 1000), text + "tail\n");
  EXPECT_EQ(stream->damage(), StreamDamage::None);
}

TEST(InputStreamTest, DecodesZstdAndConcatenatedFrames) {
  const std::string text = sample_text();
  const std::string both = zstd_bytes(text) + zstd_bytes("tail\n");
  auto stream = open_decompressing_stream(open_memory_stream(both), Compression::Zstd);
  EXPECT_EQ(drain(*stream, 1000), text + "tail\n");
  EXPECT_EQ(stream->damage(), StreamDamage::None);
}

TEST(InputStreamTest, EmptyCompressedInputIsEmptyNotDamaged) {
  for (const auto compression : {Compression::Gzip, Compression::Zstd}) {
    auto stream = open_decompressing_stream(open_memory_stream(""), compression);
    EXPECT_EQ(drain(*stream), "");
    EXPECT_EQ(stream->damage(), StreamDamage::None);
  }
}

TEST(InputStreamTest, TruncatedGzipKeepsThePrefixAndReportsTruncation) {
  const std::string text = sample_text();
  const std::string compressed = gzip_bytes(text);
  for (const std::size_t keep : {compressed.size() - 4, compressed.size() / 2, std::size_t{5}}) {
    const std::string cut = compressed.substr(0, keep);
    auto stream = open_decompressing_stream(open_memory_stream(cut), Compression::Gzip);
    const std::string got = drain(*stream, 333);
    EXPECT_EQ(stream->damage(), StreamDamage::Truncated) << keep;
    EXPECT_EQ(text.compare(0, got.size(), got), 0) << "decoded bytes must be a prefix";
    EXPECT_FALSE(stream->damage_detail().empty());
  }
}

TEST(InputStreamTest, TruncatedZstdKeepsThePrefixAndReportsTruncation) {
  const std::string text = sample_text();
  const std::string compressed = zstd_bytes(text);
  for (const std::size_t keep : {compressed.size() - 3, compressed.size() / 2, std::size_t{6}}) {
    const std::string cut = compressed.substr(0, keep);
    auto stream = open_decompressing_stream(open_memory_stream(cut), Compression::Zstd);
    const std::string got = drain(*stream, 333);
    EXPECT_EQ(stream->damage(), StreamDamage::Truncated) << keep;
    EXPECT_EQ(text.compare(0, got.size(), got), 0);
  }
}

TEST(InputStreamTest, CorruptDataIsReportedAsCorrupt) {
  std::string compressed = gzip_bytes(sample_text());
  compressed[compressed.size() / 2] ^= 0x55;
  compressed[compressed.size() / 2 + 1] ^= 0x55;
  auto gzip = open_decompressing_stream(open_memory_stream(compressed), Compression::Gzip);
  drain(*gzip, 4096);
  EXPECT_EQ(gzip->damage(), StreamDamage::Corrupt);

  auto zstd =
      open_decompressing_stream(open_memory_stream("definitely not zstd data"), Compression::Zstd);
  EXPECT_EQ(drain(*zstd), "");
  EXPECT_EQ(zstd->damage(), StreamDamage::Corrupt);
}

TEST(InputStreamTest, MissingFileNamesThePath) {
  try {
    open_input("/nonexistent/folder/file.jsonl");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("/nonexistent/folder/file.jsonl"), std::string::npos);
  }
}

}  // namespace
}  // namespace curate::io
