// PooledStringBuilder: a reader's text column, built in recycled buffers.

#include "curate/io/pooled_string_builder.hpp"

#include <gtest/gtest.h>

#include <string>

namespace curate::io {
namespace {

TEST(PooledStringBuilderTest, BuildsTheColumnAndKeepsItsStringsWhenTheBufferGrows) {
  PooledStringBuilder builder(BufferPool::create());
  builder.reserve(4, 64);  // far too small: the buffer doubles, moving what it holds
  std::vector<std::string> expected;
  for (int i = 0; i < 500; ++i) {
    expected.push_back(i % 7 == 0 ? std::string()
                                  : std::string(static_cast<std::size_t>(i), 'a' + i % 26));
    builder.append(expected.back());
  }
  EXPECT_EQ(builder.rows(), 500u);
  const StringColumn column = builder.finish();
  ASSERT_EQ(column.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(column[i], expected[i]) << i;
  EXPECT_EQ(builder.rows(), 0u);  // starts empty
}

TEST(PooledStringBuilderTest, AnEmptyBuilderGivesAnEmptyColumn) {
  PooledStringBuilder builder(BufferPool::create());
  EXPECT_EQ(builder.finish().size(), 0u);
  builder.reserve(10, 1000);
  EXPECT_EQ(builder.finish().size(), 0u);
  builder.append("");
  const StringColumn one_empty = builder.finish();
  ASSERT_EQ(one_empty.size(), 1u);
  EXPECT_EQ(one_empty[0], "");
}

TEST(PooledStringBuilderTest, TheNextColumnReusesTheBufferOfOneNobodyHolds) {
  auto pool = BufferPool::create();
  PooledStringBuilder builder(pool);
  builder.reserve(2, 8192);
  builder.append("first batch");
  StringColumn first = builder.finish();
  const char* address = first.bytes().data();
  // While a batch holds the column, the next one gets another buffer.
  builder.reserve(2, 8192);
  builder.append("second batch");
  StringColumn second = builder.finish();
  EXPECT_NE(second.bytes().data(), address);
  EXPECT_EQ(first[0], "first batch");
  first = StringColumn();  // the batch is gone: its buffer is free again
  builder.reserve(2, 8192);
  builder.append("third batch");
  const StringColumn third = builder.finish();
  EXPECT_EQ(third.bytes().data(), address);
  EXPECT_EQ(third[0], "third batch");
  EXPECT_EQ(second[0], "second batch");
}

}  // namespace
}  // namespace curate::io
