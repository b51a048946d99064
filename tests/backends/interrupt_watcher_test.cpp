// InterruptWatcher: the first SIGINT or SIGTERM cancels the token from the watcher's
// thread; a second one ends the process at once with 128 + signal.

#include "curate/backends/interrupt_watcher.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

namespace curate::backends {
namespace {

bool wait_until_cancelled(const CancellationToken& token) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!token.cancelled()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

TEST(InterruptWatcherTest, TheFirstSignalCancelsTheToken) {
  for (int signal : {SIGINT, SIGTERM}) {
    const CancellationToken token;
    InterruptWatcher watcher(token);
    EXPECT_EQ(watcher.signal_received(), 0);
    ASSERT_EQ(::raise(signal), 0);
    ASSERT_TRUE(wait_until_cancelled(token));
    EXPECT_EQ(watcher.signal_received(), signal);
    EXPECT_EQ(token.reason(),
              signal == SIGINT ? "interrupted by SIGINT" : "interrupted by SIGTERM");
  }
}

TEST(InterruptWatcherTest, OnlyOneWatcherAtATime) {
  InterruptWatcher watcher{CancellationToken()};
  EXPECT_THROW(InterruptWatcher{CancellationToken()}, std::logic_error);
}

TEST(InterruptWatcherTest, RestoresThePreviousHandler) {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction saved {};
  ASSERT_EQ(::sigaction(SIGTERM, &ignore, &saved), 0);
  { InterruptWatcher watcher{CancellationToken()}; }
  struct sigaction now {};
  ASSERT_EQ(::sigaction(SIGTERM, &saved, &now), 0);
  EXPECT_EQ(now.sa_handler, SIG_IGN);
}

TEST(InterruptWatcherDeathTest, ASecondSignalExitsAtOnce) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        const CancellationToken token;
        InterruptWatcher watcher(token);
        ::raise(SIGINT);
        wait_until_cancelled(token);
        ::raise(SIGINT);
        std::this_thread::sleep_for(std::chrono::seconds(30));
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(130), "");
  EXPECT_EXIT(
      {
        InterruptWatcher watcher{CancellationToken()};
        ::raise(SIGTERM);
        ::raise(SIGTERM);
        std::this_thread::sleep_for(std::chrono::seconds(30));
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(143), "");
}

}  // namespace
}  // namespace curate::backends
