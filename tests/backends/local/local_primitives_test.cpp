// The LocalExecutor's building blocks: bounded queue, cancellable barrier, in-process gang.

#include "curate/backends/local/bounded_queue.hpp"
#include "curate/backends/local/cancellable_barrier.hpp"
#include "curate/backends/local/local_gang.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <numeric>
#include <thread>

namespace curate::backends::local {
namespace {

TEST(BoundedQueueTest, PopsWholeBatchesUntilClosedThenTheRest) {
  BoundedQueue<int> queue(8);
  std::thread producer([&] {
    for (int i = 0; i < 7; ++i) ASSERT_TRUE(queue.push(i));
    queue.close();
  });
  std::vector<int> got;
  std::vector<std::size_t> sizes;
  for (std::size_t n; (n = queue.pop(got, 3)) != 0;) sizes.push_back(n);
  producer.join();
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 3, 1}));
}

TEST(BoundedQueueTest, ProducerWaitsForRoomAndConsumerFreesIt) {
  BoundedQueue<int> queue(1);
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(queue.push(i));
    queue.close();
  });
  std::vector<int> got;
  while (queue.pop(got, 1) != 0) EXPECT_LE(queue.size(), 1u);
  producer.join();
  std::vector<int> expected(100);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(got, expected);
}

TEST(BoundedQueueTest, FilledItemsAreEachClaimedOnceByConcurrentConsumers) {
  // More items than the capacity, made on the consumers' threads as they are claimed, in
  // one run per consumer.
  constexpr std::size_t kItems = 20000;
  constexpr std::size_t kConsumers = 4;
  BoundedQueue<std::size_t> queue(4);
  std::vector<std::atomic<int>> made(kItems);
  queue.fill_and_close(
      kItems,
      [&](std::size_t index) {
        made[index].fetch_add(1);
        return index;
      },
      kConsumers);
  EXPECT_EQ(queue.size(), kItems);
  std::vector<std::vector<std::size_t>> got(kConsumers);
  {
    std::vector<std::jthread> consumers;
    for (std::size_t c = 0; c < kConsumers; ++c) {
      consumers.emplace_back([&, c] {
        // Batches of 1 to 4: a claim may straddle the end of a run and go on in the next.
        while (queue.pop(got[c], c + 1, nullptr, c) != 0) {
        }
      });
    }
  }
  std::vector<int> seen(kItems, 0);
  const std::size_t run = kItems / kConsumers;
  for (std::size_t c = 0; c < kConsumers; ++c) {
    // Whichever runs a consumer took from (its own first, then others' once its own was
    // drained, which a late starter may find at once), it took each in increasing order.
    std::vector<std::size_t> last(kConsumers, 0);
    std::vector<bool> took(kConsumers, false);
    for (const auto index : got[c]) {
      const std::size_t r = index / run;
      if (took[r]) {
        EXPECT_GT(index, last[r]) << c;
      }
      took[r] = true;
      last[r] = index;
      ++seen[index];
    }
  }
  for (std::size_t i = 0; i < kItems; ++i) {
    ASSERT_EQ(seen[i], 1) << i;
    ASSERT_EQ(made[i].load(), 1) << i;
  }
  EXPECT_EQ(queue.size(), 0u);
  std::vector<std::size_t> more;
  for (std::size_t c = 0; c < kConsumers; ++c) {
    EXPECT_EQ(queue.pop(more, 1, nullptr, c), 0u);  // drained for good
  }
}

TEST(BoundedQueueTest, EachConsumerTakesItsOwnRunFirstThenHelpsTheOthers) {
  BoundedQueue<int> queue(1);
  queue.fill_and_close(
      10, [](std::size_t index) { return static_cast<int>(index); }, 2);
  std::vector<int> first;
  std::vector<int> second;
  EXPECT_EQ(queue.pop(second, 3, nullptr, 1), 3u);
  EXPECT_EQ(second, (std::vector<int>{5, 6, 7}));
  EXPECT_EQ(queue.pop(first, 2, nullptr, 0), 2u);
  EXPECT_EQ(first, (std::vector<int>{0, 1}));
  // The rest of its own run, then the start of what is left of the other's.
  EXPECT_EQ(queue.pop(second, 3, nullptr, 1), 3u);
  EXPECT_EQ(second, (std::vector<int>{5, 6, 7, 8, 9, 2}));
  EXPECT_EQ(queue.size(), 2u);
  // Fewer than asked for only once every run is drained.
  EXPECT_EQ(queue.pop(first, 5, nullptr, 0), 2u);
  EXPECT_EQ(first, (std::vector<int>{0, 1, 3, 4}));
  EXPECT_EQ(queue.pop(first, 1, nullptr, 0), 0u);
  EXPECT_EQ(queue.pop(second, 1, nullptr, 1), 0u);
}

TEST(BoundedQueueTest, MoreConsumersThanFilledItemsLeaveNoneBehind) {
  BoundedQueue<int> queue(1);
  queue.fill_and_close(
      2, [](std::size_t index) { return static_cast<int>(index); }, 8);
  std::vector<int> got;
  EXPECT_EQ(queue.pop(got, 4, nullptr, 7), 2u);
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<int>{0, 1}));
  EXPECT_EQ(queue.pop(got, 1, nullptr, 3), 0u);
}

TEST(BoundedQueueTest, CancelStopsClaimsOfFilledItems) {
  BoundedQueue<int> queue(1);
  queue.fill_and_close(100, [](std::size_t index) { return static_cast<int>(index); });
  std::vector<int> got;
  ASSERT_EQ(queue.pop(got, 2), 2u);
  queue.cancel();
  EXPECT_EQ(queue.pop(got, 1), 0u);
  EXPECT_EQ(got, (std::vector<int>{0, 1}));
}

TEST(BoundedQueueTest, CancelReleasesBlockedProducersAndConsumers) {
  BoundedQueue<int> full(1);
  ASSERT_TRUE(full.push(1));
  BoundedQueue<int> empty(1);
  bool pushed = true;
  std::size_t popped = 1;
  std::thread producer([&] { pushed = full.push(2); });
  std::thread consumer([&] {
    std::vector<int> out;
    popped = empty.pop(out, 1);
  });
  full.cancel();
  empty.cancel();
  producer.join();
  consumer.join();
  EXPECT_FALSE(pushed);
  EXPECT_EQ(popped, 0u);
  EXPECT_EQ(full.size(), 0u);
}

TEST(BoundedQueueTest, FilledItemsIgnoreCapacityAndEndTheQueue) {
  BoundedQueue<int> queue(2);
  queue.fill_and_close(5, [](std::size_t index) { return static_cast<int>(index) * 10; });
  EXPECT_EQ(queue.size(), 5u);
  std::vector<int> out;
  EXPECT_EQ(queue.pop(out, 3), 3u);
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.pop(out, 3), 2u);  // closed: the rest, though fewer than asked for
  EXPECT_EQ(queue.pop(out, 3), 0u);
  EXPECT_EQ(out, (std::vector<int>{0, 10, 20, 30, 40}));
}

TEST(CancellableBarrierTest, ReleasesEveryPhaseAndBreaksOnCancel) {
  CancellableBarrier barrier(3);
  std::atomic<int> passed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int phase = 0; phase < 50; ++phase) barrier.arrive_and_wait();
      ++passed;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(passed, 3);

  std::string error;
  std::thread waiter([&] {
    try {
      barrier.arrive_and_wait();
    } catch (const std::runtime_error& e) {
      error = e.what();
    }
  });
  barrier.cancel("stage 'x' failed");
  waiter.join();
  EXPECT_EQ(error, "stage 'x' failed");
  EXPECT_THROW(barrier.arrive_and_wait(), std::runtime_error);
}

TEST(LocalGangTest, CollectivesCombineEveryMember) {
  constexpr int kSize = 4;
  auto group = LocalGangGroup::create(kSize);
  std::vector<std::vector<int64_t>> sums(kSize);
  std::vector<std::vector<std::string>> received(kSize);
  std::vector<std::thread> members;
  for (int i = 0; i < kSize; ++i) {
    members.emplace_back([&, i] {
      auto gang = group->member(i);
      for (int repeat = 0; repeat < 20; ++repeat) {
        std::vector<int64_t> values{i, 10 * i + repeat};
        gang->all_reduce_sum(values);
        sums[i] = values;
        std::vector<std::string> outgoing;
        for (int to = 0; to < kSize; ++to)
          outgoing.push_back(fmt::format("{}>{}#{}", i, to, repeat));
        received[i] = gang->all_to_all(std::move(outgoing));
      }
    });
  }
  for (auto& member : members) member.join();
  for (int i = 0; i < kSize; ++i) {
    EXPECT_EQ(sums[i], (std::vector<int64_t>{6, 60 + 4 * 19}));
    for (int from = 0; from < kSize; ++from) {
      EXPECT_EQ(received[i][from], fmt::format("{}>{}#19", from, i));
    }
  }
}

TEST(LocalGangTest, AbortReleasesMembersWaitingInACollective) {
  auto group = LocalGangGroup::create(3);
  std::vector<std::thread> members;
  std::atomic<int> released{0};
  for (int i = 0; i < 2; ++i) {  // the third member never arrives
    members.emplace_back([&, i] {
      try {
        group->member(i)->barrier();
      } catch (const std::runtime_error&) {
        ++released;
      }
    });
  }
  group->member(2)->abort("member 2 failed");
  for (auto& member : members) member.join();
  EXPECT_EQ(released, 2);
}

TEST(LocalGangTest, MismatchedAllReduceFailsEveryMember) {
  auto group = LocalGangGroup::create(2);
  std::atomic<int> failed{0};
  std::vector<std::thread> members;
  for (int i = 0; i < 2; ++i) {
    members.emplace_back([&, i] {
      std::vector<int64_t> values(static_cast<std::size_t>(i + 1), 1);
      try {
        group->member(i)->all_reduce_sum(values);
      } catch (const std::invalid_argument&) {
        ++failed;
      }
    });
  }
  for (auto& member : members) member.join();
  EXPECT_EQ(failed, 2);
}

}  // namespace
}  // namespace curate::backends::local
