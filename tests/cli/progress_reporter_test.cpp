#include "curate/cli/progress_reporter.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <sstream>
#include <thread>

namespace curate::cli {
namespace {

using backends::StageProgress;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

std::vector<StageProgress> snapshot(std::uint64_t tasks) {
  // The reader takes files and gives documents; the filter takes documents and keeps 90%.
  return {StageProgress{"read", 2, tasks, tasks * 3, tasks, "files", tasks * 100, "documents", 1},
          StageProgress{"filter", 1, tasks, tasks, tasks * 100, "documents", tasks * 90,
                        "documents", 4},
          StageProgress{"_completion", 1, tasks, 0, 0, "", 0, "", 0}};
}

ProgressOptions options(ProgressMode mode) {
  ProgressOptions out;
  out.mode = mode;
  out.poll_interval = std::chrono::milliseconds(5);
  out.plain_interval = std::chrono::milliseconds(20);
  out.hidden_stages = {"_completion"};
  return out;
}

TEST(ProgressReporterTest, FormatsStageLines) {
  const std::string line = ProgressReporter::format_stage_line(snapshot(10)[0], 2.0);
  EXPECT_THAT(line,
              AllOf(HasSubstr("read"), HasSubstr("10 tasks"), HasSubstr("10 files > 1000 docs"),
                    HasSubstr("500 docs/s"), HasSubstr("queue    1"), HasSubstr("workers 2")));
  const std::string plain =
      ProgressReporter::format_plain_line({snapshot(10)[0], snapshot(10)[1]}, 2.0);
  EXPECT_EQ(plain,
            "[2.0s] read: 10 tasks, 10 files > 1000 docs (500 docs/s), queue 1 | filter: 10 "
            "tasks, 1000 docs > 900 docs (500 docs/s), queue 4");
}

TEST(ProgressReporterTest, PrintsPlainLinesEveryIntervalWithoutEscapes) {
  std::ostringstream out;
  std::atomic<std::uint64_t> tasks{0};
  {
    ProgressReporter reporter([&] { return snapshot(++tasks); }, out, options(ProgressMode::Plain));
    reporter.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    reporter.stop();
  }
  const std::string text = out.str();
  EXPECT_GE(std::count(text.begin(), text.end(), '\n'), 2) << text;
  EXPECT_THAT(text, AllOf(HasSubstr("read:"), HasSubstr("filter:"), Not(HasSubstr("_completion")),
                          Not(HasSubstr("\x1b["))));
}

TEST(ProgressReporterTest, RedrawsOneLinePerStageInPlaceOnATerminal) {
  std::ostringstream out;
  {
    ProgressReporter reporter([] { return snapshot(3); }, out, options(ProgressMode::Live));
    reporter.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(40));
    reporter.stop();
  }
  const std::string text = out.str();
  EXPECT_THAT(text,
              AllOf(HasSubstr("\x1b[2F"), HasSubstr("\x1b[J"), Not(HasSubstr("_completion"))));
  EXPECT_THAT(text, HasSubstr("read"));
}

TEST(ProgressReporterTest, PrintsLogRecordsAboveTheLiveLines) {
  std::ostringstream out;
  {
    ProgressReporter reporter([] { return snapshot(3); }, out, options(ProgressMode::Live));
    auto sink = reporter.make_log_sink();
    sink->set_pattern("%v");
    spdlog::logger logger("progress_test", sink);
    reporter.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    logger.warn("a record");
    reporter.stop();
  }
  // The frame is erased, the record written, and the frame drawn again below it.
  EXPECT_THAT(out.str(), HasSubstr("\x1b[2F\x1b[Ja record\nread"));
}

TEST(ProgressReporterTest, CutsLiveLinesToTheTerminalWidth) {
  std::ostringstream out;
  ProgressOptions narrow = options(ProgressMode::Live);
  narrow.columns = 20;
  {
    ProgressReporter reporter([] { return snapshot(3); }, out, narrow);
    reporter.start();
    reporter.stop();
  }
  std::istringstream lines(out.str());
  for (std::string line; std::getline(lines, line);) {
    const auto start = line.rfind("\x1b[J");
    const std::string visible = start == std::string::npos ? line : line.substr(start + 3);
    EXPECT_LT(visible.size(), 20u) << visible;
  }
}

TEST(ProgressReporterTest, PrintsNothingWhenOff) {
  std::ostringstream out;
  ProgressReporter reporter([] { return snapshot(1); }, out, options(ProgressMode::Off));
  reporter.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  reporter.stop();
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace curate::cli
