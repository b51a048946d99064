// Declarative end-to-end cases: every folder under tests/e2e/cases/ is one test.
//
//   cases/<name>/pipeline.yaml        the pipeline, with paths relative to the case folder
//                                     (read `input`, write to `output`)
//   cases/<name>/input/...            its input files
//   cases/<name>/expected/*.jsonl     the records expected under output/, byte for byte;
//                                     compared as sorted lines, since output file names
//                                     are derived ids and batches may come in any order
//   cases/<name>/expected/stats.json  optional: a subset stats.json must contain (objects
//                                     by key, arrays element by element, same length)
//   cases/<name>/expected/exit_code   optional: the expected exit status (default 0)
//   cases/<name>/expected/stderr.txt  optional: lines that must each appear in stderr
//   cases/<name>/args                 optional: extra `curate run` arguments, one a line
//
// Each case runs in a copy of its folder (`curate -C <copy> run pipeline.yaml --quiet
// --log-dir logs`), in this process, so the source tree is never written to.

#include "curate/cli/app.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace curate::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The cases live in tests/e2e/cases; this runner sits in tests/cli until test_e2e links
// (see the note in the CLI report). The source folder comes from CMake: __FILE__ is
// relative when ccache rewrites paths, so it cannot locate them.
fs::path cases_dir() { return fs::path(CURATE_SOURCE_DIR) / "tests" / "e2e" / "cases"; }

std::vector<std::string> discover_cases() {
  std::vector<std::string> names;
  if (!fs::is_directory(cases_dir())) return names;
  for (const auto& entry : fs::directory_iterator(cases_dir())) {
    if (entry.is_directory() && fs::exists(entry.path() / "pipeline.yaml")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> read_lines(const fs::path& file) {
  std::vector<std::string> lines;
  std::istringstream in(read_text(file));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

// Every non-empty line of every *.jsonl file under `folder`, sorted.
std::vector<std::string> jsonl_records(const fs::path& folder) {
  std::vector<std::string> records;
  if (!fs::exists(folder)) return records;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".jsonl") continue;
    for (auto& line : read_lines(entry.path())) records.push_back(std::move(line));
  }
  std::sort(records.begin(), records.end());
  return records;
}

// Adds a failure for every part of `expected` that `actual` lacks.
void expect_subset(const json& expected, const json& actual, const std::string& path) {
  if (expected.is_object()) {
    ASSERT_TRUE(actual.is_object()) << path << ": expected an object, got " << actual.dump();
    for (const auto& [key, value] : expected.items()) {
      ASSERT_TRUE(actual.contains(key)) << path << ": missing key '" << key << "'";
      expect_subset(value, actual[key], path + "." + key);
    }
  } else if (expected.is_array()) {
    ASSERT_TRUE(actual.is_array()) << path << ": expected an array, got " << actual.dump();
    ASSERT_EQ(expected.size(), actual.size()) << path << ": " << actual.dump();
    for (std::size_t i = 0; i < expected.size(); ++i) {
      expect_subset(expected[i], actual[i], path + "[" + std::to_string(i) + "]");
    }
  } else {
    EXPECT_EQ(expected, actual) << path;
  }
}

class E2eCase : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    std::random_device random;
    work_ =
        fs::temp_directory_path() / ("curate_e2e_" + GetParam() + "_" + std::to_string(::getpid()) +
                                     "_" + std::to_string(random()));
    fs::create_directories(work_);
    fs::copy(cases_dir() / GetParam(), work_, fs::copy_options::recursive);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(work_, ignored);
  }

  fs::path work_;
};

TEST_P(E2eCase, ProducesTheExpectedOutput) {
  const fs::path expected = work_ / "expected";
  std::vector<std::string> args = {"-C",      work_.string(), "run", "pipeline.yaml",
                                   "--quiet", "--log-dir",    "logs"};
  if (fs::exists(work_ / "args")) {
    for (auto& arg : read_lines(work_ / "args")) args.push_back(std::move(arg));
  }
  std::ostringstream out;
  std::ostringstream err;
  CliContext context{out, err};
  const int exit_code = run_cli(args, context);

  const int expected_exit =
      fs::exists(expected / "exit_code") ? std::stoi(read_text(expected / "exit_code")) : 0;
  ASSERT_EQ(exit_code, expected_exit) << err.str();
  if (fs::exists(expected / "stderr.txt")) {
    for (const std::string& line : read_lines(expected / "stderr.txt")) {
      EXPECT_NE(err.str().find(line), std::string::npos) << "stderr lacks '" << line << "':\n"
                                                         << err.str();
    }
  }
  if (expected_exit == 0 || fs::exists(work_ / "output")) {
    EXPECT_EQ(jsonl_records(work_ / "output"), jsonl_records(expected));
  }
  if (fs::exists(expected / "stats.json")) {
    ASSERT_TRUE(fs::exists(work_ / "logs/stats.json")) << err.str();
    expect_subset(json::parse(read_text(expected / "stats.json")),
                  json::parse(read_text(work_ / "logs/stats.json")), "stats");
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, E2eCase, ::testing::ValuesIn(discover_cases()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           return param_info.param;
                         });

}  // namespace
}  // namespace curate::cli
