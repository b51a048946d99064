// RowBlock: appends, fixed-width rows, iteration, serialisation and corrupt input.

#include "curate/core/row_block.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace curate::testing {
namespace {

using ::testing::HasSubstr;

std::vector<std::string> rows_of(const RowBlock& block) {
  std::vector<std::string> rows;
  for (std::string_view row : block) rows.emplace_back(row);
  return rows;
}

TEST(RowBlockTest, HoldsRowsOfAnyLengthInOrder) {
  RowBlock block;
  EXPECT_TRUE(block.empty());
  const std::vector<std::string> rows{"alpha", "", "b", std::string("nul\0byte", 8), "", "last"};
  for (const auto& row : rows) block.append(row);
  EXPECT_EQ(block.size(), rows.size());
  EXPECT_FALSE(block.empty());
  EXPECT_EQ(block.fixed_width(), 0u);
  EXPECT_EQ(block.payload_bytes(), 5u + 0 + 1 + 8 + 0 + 4);
  EXPECT_EQ(rows_of(block), rows);
  EXPECT_EQ(block.row(3), rows[3]);
}

TEST(RowBlockTest, RoundTripsThroughBytes) {
  RowBlock block;
  std::vector<std::string> rows;
  for (int i = 0; i < 1000; ++i) {
    rows.push_back(std::string(static_cast<std::size_t>(i % 37), static_cast<char>('a' + i % 26)));
    block.append(rows.back());
  }
  const RowBlock copy = RowBlock::from_bytes(block.to_bytes());
  EXPECT_EQ(copy.size(), 1000u);
  EXPECT_EQ(copy.fixed_width(), 0u);
  EXPECT_EQ(rows_of(copy), rows);
  EXPECT_EQ(copy.to_bytes(), block.to_bytes());
}

TEST(RowBlockTest, EmptyBlocksAndEmptyRowsRoundTrip) {
  for (std::size_t width : {0u, 8u}) {
    const RowBlock empty = RowBlock::from_bytes(RowBlock(width).to_bytes());
    EXPECT_TRUE(empty.empty());
    EXPECT_EQ(empty.fixed_width(), width);
    EXPECT_EQ(empty.begin(), empty.end());
  }
  RowBlock only_empty_rows;
  for (int i = 0; i < 3; ++i) only_empty_rows.append("");
  const RowBlock copy = RowBlock::from_bytes(only_empty_rows.to_bytes());
  EXPECT_EQ(rows_of(copy), (std::vector<std::string>{"", "", ""}));
  EXPECT_EQ(copy.payload_bytes(), 0u);
}

TEST(RowBlockTest, FixedWidthRowsNeedNoOffsets) {
  RowBlock block(16);
  RowBlock variable;
  for (std::uint64_t i = 0; i < 100; ++i) {
    char row[16];
    std::memcpy(row, &i, 8);
    const std::uint64_t square = i * i;
    std::memcpy(row + 8, &square, 8);
    block.append(std::string_view(row, 16));
    variable.append(std::string_view(row, 16));
  }
  EXPECT_EQ(block.size(), 100u);
  EXPECT_EQ(block.payload_bytes(), 1600u);
  // No offsets on the wire: only the payload and the header.
  EXPECT_EQ(variable.to_bytes().size() - block.to_bytes().size(), 100u * 8);
  const RowBlock copy = RowBlock::from_bytes(block.to_bytes());
  EXPECT_EQ(copy.fixed_width(), 16u);
  std::uint64_t i = 0;
  for (std::string_view row : copy) {
    std::uint64_t key;
    std::uint64_t square;
    std::memcpy(&key, row.data(), 8);
    std::memcpy(&square, row.data() + 8, 8);
    EXPECT_EQ(key, i);
    EXPECT_EQ(square, i * i);
    ++i;
  }
  EXPECT_EQ(i, 100u);
}

TEST(RowBlockTest, FixedWidthRejectsRowsOfAnotherSize) {
  RowBlock block(4);
  block.append("abcd");
  try {
    block.append("abc");
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), HasSubstr("row of 3 bytes"));
    EXPECT_THAT(error.what(), HasSubstr("fixed width 4"));
  }
  EXPECT_THROW(block.append(""), std::invalid_argument);
  EXPECT_EQ(block.size(), 1u);  // a rejected row leaves the block as it was
  EXPECT_EQ(block.payload_bytes(), 4u);
}

TEST(RowBlockTest, ReserveKeepsContents) {
  RowBlock block;
  block.append("one");
  block.reserve(1000, 100000);
  block.append("two");
  EXPECT_EQ(rows_of(block), (std::vector<std::string>{"one", "two"}));
}

TEST(RowBlockTest, CorruptBytesThrow) {
  RowBlock block;
  block.append("hello");
  block.append("world!");
  const std::string bytes = block.to_bytes();
  const auto expect_corrupt = [](const std::string& input, const char* what) {
    try {
      RowBlock::from_bytes(input);
      ADD_FAILURE() << "expected std::runtime_error for " << what;
    } catch (const std::runtime_error& error) {
      EXPECT_THAT(error.what(), HasSubstr("corrupt row block bytes")) << what;
    }
  };
  expect_corrupt("", "empty input");
  expect_corrupt(bytes.substr(0, 10), "a truncated header");
  expect_corrupt(bytes.substr(0, bytes.size() - 1), "a truncated payload");
  expect_corrupt(bytes + "x", "a trailing byte");
  std::string bad_magic = bytes;
  bad_magic[0] ^= 0x55;
  expect_corrupt(bad_magic, "a wrong magic");
  // Row count far beyond the bytes present: rejected before allocating.
  std::string huge_rows = bytes;
  const std::uint64_t rows = ~std::uint64_t{0} / 4;
  std::memcpy(huge_rows.data() + 12, &rows, 8);
  expect_corrupt(huge_rows, "a huge row count");
  // Offsets out of order: the second row ends before the first.
  std::string bad_offsets = bytes;
  const std::uint64_t end = 2;
  std::memcpy(bad_offsets.data() + 28 + 8, &end, 8);
  expect_corrupt(bad_offsets, "descending offsets");
  // A fixed-width header whose payload is not a multiple of the width.
  RowBlock fixed(4);
  fixed.append("abcd");
  std::string bad_width = fixed.to_bytes();
  const std::uint64_t width = 3;
  std::memcpy(bad_width.data() + 4, &width, 8);
  expect_corrupt(bad_width, "a payload not a multiple of the width");
}

}  // namespace
}  // namespace curate::testing
