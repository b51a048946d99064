// `curate run` in a real process that gets SIGINT or SIGTERM part-way: it stops the way
// a failure does (teardown, stats.json), says how far it got, exits 128 + signal, leaves
// no partial output, and a rerun resumes to the output of an uninterrupted run.

#include "cli_test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

namespace curate::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

constexpr int kFiles = 8;
constexpr int kDocumentsPerFile = 5;

std::size_t count_lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// reader (one file per source task) -> slow_after -> writer, over kFiles files.
class InterruptTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    if (!fs::exists(testing::curate_with_test_stages_binary())) {
      GTEST_SKIP() << "target curate_with_test_stages is not built";
    }
    for (int i = 0; i < kFiles; ++i) {
      testing::write_documents(dir_ / ("in/part-" + std::to_string(i) + ".jsonl"),
                               kDocumentsPerFile, "d" + std::to_string(i));
    }
    fs::create_directories(dir_ / "marks");
  }

  fs::path pipeline(const std::string& name, const std::string& output, int pass, int sleep_ms) {
    const fs::path file = dir_ / (name + ".yaml");
    write_file(file, "name: " + name + R"(
executor: {type: local, config: {num_cpus: 1, log_level: warn}}
stages:
  - stage: jsonl_reader
    params: {paths: )" + (dir_ / "in").string() +
                         R"(, files_per_partition: 1, batch_rows: 100}
  - stage: slow_after
    params: {dir: )" + (dir_ / "marks").string() +
                         ", pass: " + std::to_string(pass) +
                         ", sleep_ms: " + std::to_string(sleep_ms) + R"(}
  - stage: jsonl_writer
    params: {output_dir: )" +
                         (dir_ / output).string() + "}\n");
    return file;
  }

  testing::ChildProcess start(const fs::path& pipeline_file, const std::string& log_dir,
                              const std::string& tag) {
    return testing::spawn_process(
        {testing::curate_with_test_stages_binary().string(), "run", pipeline_file.string(),
         "--log-dir", (dir_ / log_dir).string(), "--quiet"},
        dir_ / (tag + ".out"), dir_ / (tag + ".err"));
  }

  TempDir dir_;
};

TEST_P(InterruptTest, StopsCleanlyAndARerunResumesToTheSameOutput) {
  const int signal = GetParam();
  const fs::path interrupted = pipeline("p", "out", 2, 200);
  const auto child = start(interrupted, "logs", "first");
  ASSERT_TRUE(testing::wait_for_file(dir_ / "marks/reached", 60)) << read_file(child.err);
  ASSERT_EQ(::kill(child.pid, signal), 0);
  const int status = testing::wait_for_exit(child, 60);
  EXPECT_EQ(status, 128 + signal) << read_file(child.err);

  // Every instance that was set up was torn down.
  const std::size_t setups = count_lines(read_file(dir_ / "marks/setup.log"));
  EXPECT_GE(setups, 1u);
  EXPECT_EQ(count_lines(read_file(dir_ / "marks/teardown.log")), setups);

  const json stats = json::parse(read_file(dir_ / "logs/stats.json"));
  EXPECT_TRUE(stats["interrupted"].get<bool>());
  EXPECT_TRUE(stats["cancelled"].get<bool>());
  EXPECT_FALSE(stats["succeeded"].get<bool>());
  EXPECT_EQ(stats["exit_status"], 128 + signal);
  EXPECT_EQ(stats["source_tasks"]["total"], kFiles);
  const auto complete = stats["source_tasks"]["complete"].get<std::size_t>();
  EXPECT_LT(complete, static_cast<std::size_t>(kFiles));
  std::size_t markers = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir_ / "logs/completed")) {
    ++markers;
  }
  EXPECT_EQ(markers, complete);

  // One line on stderr says how far the run got.
  const std::string err = read_file(child.err);
  const std::string expected = "interrupted: " + std::to_string(complete) + " of " +
                               std::to_string(kFiles) +
                               " source tasks complete; run the same command again to resume\n";
  EXPECT_THAT(err, HasSubstr(expected));
  EXPECT_EQ(count_lines(err), 1u) << err;

  // No partial output: nothing under a temporary name, every file whole.
  std::size_t files = 0;
  for (const auto& [name, content] : testing::folder_contents(dir_ / "out")) {
    EXPECT_FALSE(name.ends_with(".tmp")) << name;
    EXPECT_EQ(count_lines(content), static_cast<std::size_t>(kDocumentsPerFile)) << name;
    ++files;
  }
  EXPECT_GE(files, complete);

  const auto rerun = start(interrupted, "logs", "rerun");
  ASSERT_EQ(testing::wait_for_exit(rerun, 120), 0) << read_file(rerun.err);
  const json resumed = json::parse(read_file(dir_ / "logs/stats.json"));
  EXPECT_FALSE(resumed["interrupted"].get<bool>());
  EXPECT_EQ(resumed["resume"]["previously_completed"], complete);
  EXPECT_EQ(resumed["source_tasks"]["complete"], kFiles);

  const auto whole = start(pipeline("whole", "whole_out", 0, 0), "whole_logs", "whole");
  ASSERT_EQ(testing::wait_for_exit(whole, 120), 0) << read_file(whole.err);
  const auto expected_files = testing::folder_contents(dir_ / "whole_out");
  EXPECT_EQ(expected_files.size(), static_cast<std::size_t>(kFiles));
  EXPECT_EQ(testing::folder_contents(dir_ / "out"), expected_files);
}

INSTANTIATE_TEST_SUITE_P(Signals, InterruptTest, ::testing::Values(SIGINT, SIGTERM),
                         [](const ::testing::TestParamInfo<int>& signal_info) {
                           return signal_info.param == SIGINT ? std::string("SIGINT")
                                                              : std::string("SIGTERM");
                         });

// A second signal does not wait for the stage call in progress nor for teardown.
TEST_F(InterruptTest, ASecondSignalExitsAtOnce) {
  const auto child = start(pipeline("p", "out", 0, 30'000), "logs", "first");
  ASSERT_TRUE(testing::wait_for_file(dir_ / "marks/reached", 60)) << read_file(child.err);
  ASSERT_EQ(::kill(child.pid, SIGINT), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_EQ(::kill(child.pid, SIGINT), 0);
  // Well before the 30 s call ends: the process did not wait for it.
  EXPECT_EQ(testing::wait_for_exit(child, 20), 130) << read_file(child.err);
  EXPECT_FALSE(fs::exists(dir_ / "marks/teardown.log"));
  EXPECT_FALSE(fs::exists(dir_ / "logs/stats.json"));
}

}  // namespace
}  // namespace curate::cli
