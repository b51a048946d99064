#include "curate/io/line_reader.hpp"

#include <gtest/gtest.h>

#include <set>

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

TEST(LineReaderTest, AHeldChunkKeepsItsLinesWhileTheReaderGoesOn) {
  // Lines of every length across many 4 KiB buffers, some longer than one, and skipped
  // too-long ones: a held buffer's lines must never move or change.
  std::string text;
  std::vector<std::string> expected;
  for (int i = 0; i < 2000; ++i) {
    std::string line(static_cast<std::size_t>((i * 7919) % 700), static_cast<char>('a' + i % 26));
    if (i % 97 == 0) line.assign(9000, 'L');    // longer than the chunk: the buffer grows
    if (i % 211 == 0) line.assign(30000, 'T');  // over the limit: skipped
    text += line + (i % 5 == 0 ? "\r\n" : "\n");
    if (line.size() <= 20000) expected.push_back(line);
  }
  auto stream = open_memory_stream(text);
  LineReader reader(4096, 20000);
  reader.reset(*stream);
  std::vector<std::shared_ptr<char[]>> held;
  std::vector<std::string_view> views;
  Line line;
  while (reader.next(line)) {
    if (line.status != LineStatus::Ok) continue;
    if (held.empty() || held.back() != reader.chunk()) held.push_back(reader.chunk());
    views.push_back(line.bytes);
  }
  ASSERT_EQ(views.size(), expected.size());
  for (std::size_t i = 0; i < views.size(); ++i) ASSERT_EQ(views[i], expected[i]) << i;
  EXPECT_GT(held.size(), 20u);  // a held buffer is replaced, never reused
}

TEST(LineReaderTest, ABufferNobodyHoldsIsReused) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += std::string(static_cast<std::size_t>(i % 300), 'x') + "\n";
  auto stream = open_memory_stream(text);
  LineReader reader(4096, 1 << 20);
  reader.reset(*stream);
  Line line;
  ASSERT_TRUE(reader.next(line));
  const char* first = reader.chunk().get();
  std::size_t lines = 1;
  while (reader.next(line)) {
    ++lines;
    ASSERT_EQ(reader.chunk().get(), first) << "line " << lines;
  }
  EXPECT_EQ(lines, 5000u);
}

TEST(LineReaderTest, BuffersReleasedByTheirHoldersServeLaterChunks) {
  // As in a pipeline: each buffer is held (by a batch) until two chunks later, then
  // dropped. The reader must go round a few recycled buffers, not allocate one per chunk.
  // The test takes a block of the buffers' size from malloc after every release, so
  // malloc's own reuse of freed blocks cannot pass for the reader's.
  std::string text;
  for (int i = 0; i < 20000; ++i)
    text += std::string(static_cast<std::size_t>(i % 200), 'r') + "\n";
  auto stream = open_memory_stream(text);
  LineReader reader(4096, 1 << 20);
  reader.reset(*stream);
  std::vector<std::shared_ptr<char[]>> in_flight;
  std::set<const char*> addresses;
  std::vector<std::unique_ptr<char[]>> hoard;
  std::size_t chunks = 0;
  std::size_t lines = 0;
  Line line;
  while (reader.next(line)) {
    ASSERT_EQ(line.bytes, std::string(lines % 200, 'r')) << lines;
    ++lines;
    if (in_flight.empty() || in_flight.back() != reader.chunk()) {
      in_flight.push_back(reader.chunk());
      addresses.insert(reader.chunk().get());
      ++chunks;
      if (in_flight.size() > 2) {
        in_flight.erase(in_flight.begin());
        hoard.push_back(std::make_unique<char[]>(4096 + LineReader::kLinePadding));
      }
    }
  }
  EXPECT_EQ(lines, 20000u);
  EXPECT_GT(chunks, 400u);
  EXPECT_LE(addresses.size(), 4u);
}

}  // namespace
}  // namespace curate::io
