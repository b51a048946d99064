#include "curate/io/line_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace curate::io {
namespace {

struct SeenLine {
  std::string bytes;
  std::uint64_t number;
  LineStatus status;
  bool operator==(const SeenLine&) const = default;
};

std::ostream& operator<<(std::ostream& out, const SeenLine& line) {
  return out << line.number << ":" << static_cast<int>(line.status) << ":'" << line.bytes << "'";
}

std::vector<SeenLine> split(std::string_view text, std::size_t chunk = 4096,
                            std::size_t max_line = 1 << 20) {
  auto stream = open_memory_stream(text);
  LineReader reader(chunk, max_line);
  reader.reset(*stream);
  std::vector<SeenLine> out;
  Line line;
  while (reader.next(line)) {
    // The padding promise: 64 bytes after every line are readable.
    if (line.status == LineStatus::Ok) {
      volatile char sink = line.bytes.data()[line.bytes.size() + LineReader::kLinePadding - 1];
      (void)sink;
    }
    out.push_back({std::string(line.bytes), line.number, line.status});
  }
  return out;
}

TEST(LineReaderTest, SplitsLinesAndNumbersThemFromOne) {
  const std::vector<SeenLine> expected = {
      {"a", 1, LineStatus::Ok}, {"", 2, LineStatus::Ok}, {"bc", 3, LineStatus::Ok}};
  EXPECT_EQ(split("a\n\nbc\n"), expected);
}

TEST(LineReaderTest, StripsCarriageReturnsAndKeepsALastLineWithoutNewline) {
  const std::vector<SeenLine> expected = {{"a", 1, LineStatus::Ok}, {"b", 2, LineStatus::Ok}};
  EXPECT_EQ(split("a\r\nb"), expected);
  EXPECT_EQ(split("a\r\nb\r"), expected);
  EXPECT_EQ(split("a\r\nb\r\n"), expected);
}

TEST(LineReaderTest, EmptyInputHasNoLines) { EXPECT_TRUE(split("").empty()); }

TEST(LineReaderTest, LinesLongerThanTheChunkGrowTheBuffer) {
  const std::string long_line(50'000, 'x');
  const std::string text = "short\n" + long_line + "\nafter\n";
  const auto lines = split(text, 4096);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].bytes, long_line);
  EXPECT_EQ(lines[2].bytes, "after");
}

TEST(LineReaderTest, EveryChunkBoundaryGivesTheSameLines) {
  std::string text;
  for (int i = 0; i < 3000; ++i)
    text += std::string(static_cast<std::size_t>(i % 37), 'a' + i % 26) + "\n";
  const auto reference = split(text, 1 << 20);
  for (const std::size_t chunk : {4096u, 4097u, 5000u, 12345u}) {
    EXPECT_EQ(split(text, chunk), reference) << chunk;
  }
}

TEST(LineReaderTest, TooLongLinesAreSkippedWithoutBufferingThem) {
  const std::string huge(200'000, 'y');
  const std::string text = "ok1\n" + huge + "\nok2\n" + huge;  // the last one has no newline
  auto stream = open_memory_stream(text);
  LineReader reader(4096, 10'000);
  reader.reset(*stream);
  std::vector<SeenLine> out;
  Line line;
  while (reader.next(line)) out.push_back({std::string(line.bytes), line.number, line.status});
  const std::vector<SeenLine> expected = {{"ok1", 1, LineStatus::Ok},
                                          {"", 2, LineStatus::TooLong},
                                          {"ok2", 3, LineStatus::Ok},
                                          {"", 4, LineStatus::TooLong}};
  EXPECT_EQ(out, expected);
  EXPECT_LE(reader.buffer_capacity(), 10'002u + 4096u);
}

TEST(LineReaderTest, ResetStartsAnotherStreamAtLineOne) {
  LineReader reader(4096, 1 << 20);
  auto first = open_memory_stream("a\nb\npartial");
  reader.reset(*first);
  Line line;
  ASSERT_TRUE(reader.next(line));
  auto second = open_memory_stream("x\n");
  reader.reset(*second);
  ASSERT_TRUE(reader.next(line));
  EXPECT_EQ(line.bytes, "x");
  EXPECT_EQ(line.number, 1u);
  EXPECT_FALSE(reader.next(line));
}

TEST(LineReaderTest, LimitCountsBytesWithoutTheLineEnd) {
  const auto lines = split("12345\r\n123456\n", 4096, 5);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].status, LineStatus::Ok);
  EXPECT_EQ(lines[1].status, LineStatus::TooLong);
}

}  // namespace
}  // namespace curate::io
