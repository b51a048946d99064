// BufferPool: the reader's recycled read buffers.

#include "curate/io/buffer_pool.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <thread>

namespace curate::io {
namespace {

TEST(BufferPoolTest, AReleasedBufferServesTheNextRequestThatFits) {
  auto pool = BufferPool::create();
  auto first = pool->acquire(1000);
  const char* address = first.get();
  std::memset(first.get(), 'x', 1000);  // all 1000 bytes are usable (ASan checks)
  first.reset();
  EXPECT_EQ(pool->free_count(), 1u);
  auto again = pool->acquire(900);
  EXPECT_EQ(again.get(), address);
  EXPECT_EQ(pool->free_count(), 0u);
  again.reset();
  // Too small for a larger request, which gets a new buffer; the small one stays free.
  auto larger = pool->acquire(3000);
  EXPECT_NE(larger.get(), address);
  std::memset(larger.get(), 'y', 3000);
  EXPECT_EQ(pool->free_count(), 1u);
}

TEST(BufferPoolTest, ASmallRequestDoesNotPinALargeBuffer) {
  auto pool = BufferPool::create();
  auto large = pool->acquire(100000);
  const char* large_address = large.get();
  large.reset();
  auto small = pool->acquire(100);
  EXPECT_NE(small.get(), large_address);
  EXPECT_EQ(pool->free_count(), 1u);
}

TEST(BufferPoolTest, OfTwoThatFitTheSmallerIsServed) {
  auto pool = BufferPool::create();
  auto large = pool->acquire(100000);
  auto medium = pool->acquire(60000);
  const char* large_address = large.get();
  const char* medium_address = medium.get();
  large.reset();
  medium.reset();
  ASSERT_EQ(pool->free_count(), 2u);
  EXPECT_EQ(pool->acquire(55000).get(), medium_address);
  EXPECT_EQ(pool->acquire(90000).get(), large_address);
}

TEST(BufferPoolTest, KeepsAtMostItsLimitOfFreeBuffers) {
  auto pool = BufferPool::create(2);
  {
    auto a = pool->acquire(4096);
    auto b = pool->acquire(4096);
    auto c = pool->acquire(4096);
  }
  EXPECT_EQ(pool->free_count(), 2u);  // the third was freed (LeakSanitizer checks)
}

TEST(BufferPoolTest, ABufferOutlivesThePoolsOwnerAndReturnsFromAnotherThread) {
  std::shared_ptr<char[]> held;
  std::weak_ptr<BufferPool> watch;
  {
    auto pool = BufferPool::create();
    watch = pool;
    held = pool->acquire(4096);
    std::memset(held.get(), 'z', 4096);
  }
  EXPECT_FALSE(watch.expired());  // the buffer keeps its pool
  std::thread other([buffer = std::move(held)]() mutable {
    EXPECT_EQ(buffer[4095], 'z');
    buffer.reset();  // back to the pool, which then goes with its free buffer
  });
  other.join();
  EXPECT_TRUE(watch.expired());
}

}  // namespace
}  // namespace curate::io
