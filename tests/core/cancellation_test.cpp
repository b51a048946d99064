// CancellationToken: a shared flag with callbacks; RunCancelled: what a cancelled run throws.

#include "curate/core/cancellation.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace curate {
namespace {

TEST(CancellationTokenTest, CopiesShareOneStateAndTheFirstReasonWins) {
  const CancellationToken token;
  const CancellationToken copy = token;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_FALSE(copy.cancelled());
  EXPECT_EQ(copy.reason(), "");
  token.cancel("first");
  token.cancel("second");
  EXPECT_TRUE(copy.cancelled());
  EXPECT_EQ(copy.reason(), "first");
  EXPECT_FALSE(CancellationToken().cancelled());  // a new token has a state of its own
}

TEST(CancellationTokenTest, CallbacksRunOnceWhileRegistered) {
  const CancellationToken token;
  int kept = 0;
  int dropped = 0;
  const auto registration = token.on_cancel([&] { ++kept; });
  {
    const auto gone = token.on_cancel([&] { ++dropped; });
  }
  token.cancel();
  token.cancel();
  EXPECT_EQ(kept, 1);
  EXPECT_EQ(dropped, 0);
  int late = 0;
  const auto after = token.on_cancel([&] { ++late; });  // already cancelled: runs at once
  EXPECT_EQ(late, 1);
}

TEST(CancellationTokenTest, ConcurrentCancelsRunTheCallbackOnceWithOneReason) {
  const CancellationToken token;
  std::atomic<int> calls{0};
  const auto registration = token.on_cancel([&] { ++calls; });
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&token, i] { token.cancel("thread " + std::to_string(i)); });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(token.reason().rfind("thread ", 0), 0u);
}

TEST(RunCancelledTest, SaysWhy) {
  const RunCancelled error("interrupted by SIGINT");
  EXPECT_STREQ(error.what(), "run cancelled: interrupted by SIGINT");
  EXPECT_EQ(error.reason(), "interrupted by SIGINT");
}

}  // namespace
}  // namespace curate
