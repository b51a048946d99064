#include "cli_test_util.hpp"
#include "curate/cli/version.hpp"
#include "test_stages.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

namespace curate::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::read_file;
using testing::run_curate;
using testing::TempDir;
using testing::write_file;

// reader -> word_count filter -> abort_after (disarmed) -> writer, over 2 files of 6
// documents (2 of each 6 have 3 words) plus one malformed line.
class RunCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::arm_abort(false);
    testing::write_documents(dir_ / "in/a.jsonl", 6, "a");
    testing::write_documents(dir_ / "in/b.jsonl", 6, "b");
    write_file(dir_ / "in/b.jsonl", read_file(dir_ / "in/b.jsonl") + "{not json\n");
    write_file(dir_ / "pipeline.yaml", R"(name: tiny
executor: {type: local, config: {num_cpus: 1}}
stages:
  - stage: jsonl_reader
    name: read
    params: {paths: )" + (dir_ / "in").string() +
                                           R"(, batch_rows: 2}
  - stage: word_count
    name: filter
    params: {min_words: 5}
  - stage: abort_after
    params: {tasks: 3}
  - stage: jsonl_writer
    name: write
    params: {output_dir: )" + (dir_ / "out").string() +
                                           R"(}
)");
  }

  testing::CliResult run(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run", (dir_ / "pipeline.yaml").string(), "--log-dir",
                                     (dir_ / "logs").string(), "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_curate(args, testing::register_test_stages);
  }

  json stats() const { return json::parse(read_file(dir_ / "logs/stats.json")); }

  TempDir dir_;
};

TEST_F(RunCommandTest, WritesOutputAndStatsJson) {
  const auto result = run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");  // --quiet: no table
  const json record = stats();
  EXPECT_EQ(record["pipeline"], "tiny");
  EXPECT_EQ(record["exit_status"], 0);
  EXPECT_TRUE(record["succeeded"].get<bool>());
  EXPECT_THAT(record["start_time"].get<std::string>(),
              ::testing::MatchesRegex("[0-9-]+T[0-9:.]+Z"));
  EXPECT_TRUE(record.contains("end_time"));
  EXPECT_EQ(record["executor_type"], "local");
  EXPECT_EQ(record["bad_records"]["total"], 1);
  EXPECT_EQ(record["bad_records"]["by_reason"]["not_a_json_object"], 1);
  EXPECT_TRUE(fs::exists(dir_ / "logs/errors.jsonl"));
  EXPECT_TRUE(fs::exists(dir_ / "logs/fingerprint"));

  std::vector<std::string> names;
  for (const json& stage : record["stages"]) names.push_back(stage["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"file_partitioning", "read", "filter", "abort_after",
                                             "write"}));
  const json& read = record["stages"][1];
  EXPECT_EQ(read["tasks_in"], 2);
  EXPECT_EQ(read["documents_out"], 12);
  const json& filter = record["stages"][2];
  EXPECT_EQ(filter["documents_in"], 12);
  EXPECT_EQ(filter["documents_out"], 8);
  EXPECT_EQ(filter["dropped_by_reason"]["word_count"], 4);
  for (const char* key :
       {"tasks_out", "process_time_s", "idle_time_s", "throughput_documents_per_s"}) {
    EXPECT_TRUE(filter.contains(key)) << key;
  }
  EXPECT_EQ(record["resume"]["source_tasks_completed"], 2);

  std::size_t written = 0;
  for (const auto& [name, content] : testing::folder_contents(dir_ / "out")) {
    written += static_cast<std::size_t>(std::count(content.begin(), content.end(), '\n'));
  }
  EXPECT_EQ(written, 8u);
}

TEST_F(RunCommandTest, PrintsTheTableUnlessQuiet) {
  const auto result = run_curate({"run", (dir_ / "pipeline.yaml").string(), "--log-dir",
                                  (dir_ / "logs").string(), "--progress-interval", "0.05"},
                                 testing::register_test_stages);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, AllOf(HasSubstr("read"), HasSubstr("filter"), HasSubstr("write"),
                                HasSubstr("finished"), HasSubstr("stats.json")));
}

TEST_F(RunCommandTest, AFailedRunExitsOneWithAOneLineReasonAndStillWritesStats) {
  testing::arm_abort(true);
  const auto result = run();
  testing::arm_abort(false);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, AllOf(HasSubstr("curate: stage 'abort_after' failed on task"),
                                HasSubstr("aborted on purpose")));
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  const json record = stats();
  EXPECT_EQ(record["exit_status"], 1);
  EXPECT_THAT(record["error"].get<std::string>(), HasSubstr("aborted on purpose"));
}

TEST_F(RunCommandTest, ConfigurationErrorsExitTwoBeforeAnythingRuns) {
  auto result = run({"--set", "stages.filter.params.min_wrods=5"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, AllOf(HasSubstr("curate: "), HasSubstr("pipeline.yaml:9"),
                                HasSubstr("stages[1] 'filter' (word_count)"),
                                HasSubstr("unknown parameter 'min_wrods'"),
                                HasSubstr("did you mean 'min_words'")));
  EXPECT_FALSE(fs::exists(dir_ / "logs/stats.json"));

  result = run_curate({"run", (dir_ / "absent.yaml").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("absent.yaml: cannot open the file"));

  result = run({"--set", "executor.type=mpi"});
  EXPECT_EQ(result.exit_code, 2);
  // Without a launcher the MPI executor cannot run, and says how to start it.
  EXPECT_THAT(result.err, AllOf(HasSubstr("type 'mpi' needs an MPI launch"), HasSubstr("mpirun")));
}

// Three mistakes in three stages, and a fourth in the executor section: one run reports
// all of them, one line each with file, line and stage, in file order, and runs nothing.
TEST(ConfigErrorsTest, AFileWithSeveralMistakesReportsAllOfThemInFileOrder) {
  TempDir dir;
  write_file(dir / "p.yaml", R"(name: several
stages:
  - stage: jsonl_reader
    params: {paths: )" + (dir / "missing").string() +
                                 R"(}
  - stage: word_cont
    params: {min_words: 3, not_checked: 1}
  - stage: jsonl_writer
    params: {output_dir: )" + (dir / "out").string() +
                                 R"(, compresion: zstd}
    batch_size: -1
executor: {type: local, config: {queue_capasity: 2}}
)");
  const auto result = run_curate({"run", (dir / "p.yaml").string(), "--log-dir",
                                  (dir / "logs").string(), "--set", "stages.9.name=x"});
  EXPECT_EQ(result.exit_code, 2);
  std::vector<std::string> lines;
  std::istringstream err(result.err);
  for (std::string line; std::getline(err, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 6u) << result.err;
  for (const auto& line : lines) EXPECT_THAT(line, ::testing::StartsWith("curate: ")) << line;
  // The --set has no line in the file: it comes first.
  EXPECT_THAT(lines[0], HasSubstr("stages.9.name"));
  EXPECT_THAT(lines[1],
              AllOf(HasSubstr("p.yaml:4: stages[0] (jsonl_reader)"), HasSubstr("does not exist")));
  // The unknown stage stops the check of its entry (its parameters are not looked at) ...
  EXPECT_THAT(lines[2], AllOf(HasSubstr("p.yaml:5: stages[1] (word_cont)"),
                              HasSubstr("unknown stage 'word_cont'"),
                              HasSubstr("did you mean 'word_count'")));
  EXPECT_THAT(result.err, Not(HasSubstr("not_checked")));
  // ... and the next entry is checked all the same.
  EXPECT_THAT(lines[3], AllOf(HasSubstr("p.yaml:8: stages[2] (jsonl_writer)"),
                              HasSubstr("unknown parameter 'compresion'")));
  EXPECT_THAT(lines[4], AllOf(HasSubstr("p.yaml:9: stages[2] (jsonl_writer)"),
                              HasSubstr("'batch_size' must be a positive integer")));
  EXPECT_THAT(lines[5], AllOf(HasSubstr("p.yaml:10: executor"),
                              HasSubstr("unknown config key 'queue_capasity'")));
  EXPECT_FALSE(fs::exists(dir / "logs"));  // nothing ran, not even the log folder
  EXPECT_FALSE(fs::exists(dir / "out"));

  // `curate describe` checks the same way.
  const auto described = run_curate({"describe", (dir / "p.yaml").string()});
  EXPECT_EQ(described.exit_code, 2);
  EXPECT_EQ(std::count(described.err.begin(), described.err.end(), '\n'), 5) << described.err;
}

TEST_F(RunCommandTest, SetOverridesParametersByStageName) {
  const auto result = run(
      {"--set", "stages.filter.params.min_words=1", "--set", "stages.read.params.batch_rows=100"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(stats()["stages"][2]["documents_out"], 12);
  EXPECT_EQ(stats()["stages"][1]["tasks_out"], 2);
}

TEST_F(RunCommandTest, DefaultsTheLogDirToLogsPipelineNameInTheWorkingDirectory) {
  const auto result = run_curate({"-C", dir_.path().string(), "run", "pipeline.yaml", "-q"},
                                 testing::register_test_stages);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(fs::exists(dir_ / "logs/tiny/stats.json"));
  EXPECT_NE(fs::current_path(), dir_.path());
}

// The quickstart pipeline over 4 files of 500 documents: every stage counts what it
// really took and gave, in its unit, in the table and in stats.json.
TEST(QuickstartCountsTest, CountsFilesAndDocumentsInTheirUnits) {
  TempDir dir;
  for (int i = 0; i < 4; ++i) {
    testing::write_documents(dir / ("in/part-" + std::to_string(i) + ".jsonl"), 500,
                             "q" + std::to_string(i));
  }
  const fs::path quickstart = fs::path(CURATE_SOURCE_DIR) / "examples/quickstart.yaml";
  const auto result =
      run_curate({"run", quickstart.string(), "--log-dir", (dir / "logs").string(), "--set",
                  "stages.read.params.paths=" + (dir / "in").string(), "--set",
                  "stages.filter.params.rejected_dir=" + (dir / "rejected").string(), "--set",
                  "stages.write.params.output_dir=" + (dir / "kept").string(), "--set",
                  "executor.config.log_level=warn"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json record = json::parse(read_file(dir / "logs/stats.json"));
  const json& stages = record["stages"];
  ASSERT_EQ(stages.size(), 4u);
  const json& partitioning = stages[0];
  EXPECT_EQ(partitioning["items_in"], 0);
  EXPECT_TRUE(partitioning["items_in_unit"].is_null());
  EXPECT_EQ(partitioning["items_out"], 4);
  EXPECT_EQ(partitioning["items_out_unit"], "files");
  EXPECT_TRUE(partitioning["throughput_documents_per_s"].is_null());
  const json& read = stages[1];
  EXPECT_EQ(read["items_in"], 4);
  EXPECT_EQ(read["items_in_unit"], "files");
  EXPECT_EQ(read["items_out"], 2000);
  EXPECT_EQ(read["items_out_unit"], "documents");
  EXPECT_EQ(read["documents_in"], 0);
  EXPECT_EQ(read["documents_out"], 2000);
  EXPECT_TRUE(read["throughput_documents_per_s"].is_number());
  const json& filter = stages[2];
  EXPECT_EQ(filter["items_in"], 2000);
  EXPECT_EQ(filter["items_in_unit"], "documents");
  EXPECT_EQ(filter["items_out_unit"], "documents");
  const auto kept = filter["items_out"].get<std::uint64_t>();
  std::uint64_t dropped = 0;
  for (const auto& [reason, count] : filter["dropped_by_reason"].items()) {
    dropped += count.get<std::uint64_t>();
  }
  EXPECT_EQ(kept + dropped, 2000u);
  const json& write = stages[3];
  EXPECT_EQ(write["items_in"], kept);
  EXPECT_EQ(write["items_in_unit"], "documents");
  EXPECT_EQ(write["items_out"], 8);  // 2 batches of 250 rows per file
  EXPECT_EQ(write["items_out_unit"], "files");
  EXPECT_EQ(write["documents_out"], 0);

  // The table labels every count with its unit.
  EXPECT_THAT(result.out, ::testing::ContainsRegex("file_partitioning .* - > 4 files "));
  EXPECT_THAT(result.out, ::testing::ContainsRegex("read .* 4 files > 2000 docs "));
  EXPECT_THAT(result.out,
              ::testing::ContainsRegex("filter .* 2000 docs > " + std::to_string(kept) + " docs "));
  EXPECT_THAT(result.out,
              ::testing::ContainsRegex("write .* " + std::to_string(kept) + " docs > 8 files "));
}

TEST(CliTest, PrintsVersionAndHelp) {
  auto result = run_curate({"--version"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, std::string("curate ") + kCurateVersion + "\n");
  result = run_curate({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, AllOf(HasSubstr("run"), HasSubstr("describe"), HasSubstr("resources")));
  for (const char* command : {"run", "describe", "resources", "stages"}) {
    result = run_curate({command, "--help"});
    EXPECT_EQ(result.exit_code, 0) << command;
    EXPECT_THAT(result.out, HasSubstr("--help")) << command;
  }
  EXPECT_THAT(run_curate({"run", "--help"}).out,
              AllOf(HasSubstr("--set"), HasSubstr("--log-dir"), HasSubstr("--overwrite"),
                    HasSubstr("--quiet")));
}

TEST(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(run_curate({}).exit_code, 2);
  EXPECT_EQ(run_curate({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(run_curate({"run"}).exit_code, 2);
  const auto result = run_curate({"resources", "--jsn"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("curate: "));
}

TEST(CliTest, ResourcesJsonIsOneObjectWithNodes) {
  const auto result = run_curate({"resources", "--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const json resources = json::parse(result.out);
  ASSERT_TRUE(resources["nodes"].is_array());
  ASSERT_FALSE(resources["nodes"].empty());
  const json& node = resources["nodes"][0];
  EXPECT_GT(node["cpus"].get<double>(), 0.0);
  EXPECT_TRUE(node["is_head"].get<bool>());
  EXPECT_FALSE(node["hostname"].get<std::string>().empty());
  EXPECT_TRUE(node["gpus"].is_array());
  EXPECT_EQ(node["gpus"].size(), static_cast<std::size_t>(node["num_gpus"].get<double>()));
  EXPECT_THAT(run_curate({"resources"}).out,
              AllOf(HasSubstr("CPUs:"), HasSubstr("GPUs:"), HasSubstr("(head)")));
}

TEST(CliTest, StagesListsTheCatalogue) {
  const auto result = run_curate({"stages"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, AllOf(HasSubstr("jsonl_reader"), HasSubstr("jsonl_writer"),
                                HasSubstr("heuristic_filter"), HasSubstr("- paths")));
}

TEST_F(RunCommandTest, DescribePrintsStagesAndExecutor) {
  const auto result = run_curate(
      {"describe", (dir_ / "pipeline.yaml").string(), "--set", "stages.write.num_workers=2"},
      testing::register_test_stages);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out,
              AllOf(HasSubstr("Pipeline 'tiny'"), HasSubstr("read [cpus=1"),
                    HasSubstr("is_fanout_stage"), HasSubstr("write [cpus=1"),
                    HasSubstr("num_workers=2"), HasSubstr("Executor: local {\"num_cpus\":1}")));
}

// The built binary, as a user runs it: exit codes and machine-readable output.
class CurateBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(testing::curate_binary())) {
      GTEST_SKIP() << testing::curate_binary() << " is not built (target curate_cli_main)";
    }
  }
  std::string binary() const { return testing::curate_binary().string(); }
};

TEST_F(CurateBinaryTest, PrintsVersionAndResourcesJson) {
  auto result = testing::run_process(binary() + " --version");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, std::string("curate ") + kCurateVersion + "\n");
  result = testing::run_process(binary() + " resources --json 2>/dev/null");
  EXPECT_EQ(result.exit_code, 0);
  const json resources = json::parse(result.out);
  EXPECT_TRUE(resources.is_object());
  EXPECT_EQ(resources.size(), 1u);
  EXPECT_FALSE(resources["nodes"].empty());
}

TEST_F(CurateBinaryTest, ListsGpusWithNamesAndMemory) {
  // The fake NVML of the backend tests (target fake_nvml) stands in for a GPU driver.
  const fs::path fake_nvml =
      testing::curate_binary().parent_path().parent_path() / "tests/libfake_nvml.so";
  if (!fs::exists(fake_nvml)) GTEST_SKIP() << fake_nvml << " is not built (target fake_nvml)";
  const std::string env = "env -u CUDA_VISIBLE_DEVICES CURATE_NVML_LIBRARY=" + fake_nvml.string() +
                          " FAKE_NVML_COUNT=2 FAKE_NVML_NAME='Fake H200' FAKE_NVML_MEMORY_BYTES=" +
                          std::to_string(141ULL << 30) + " ";
  const auto result = testing::run_process(env + binary() + " resources --json 2>/dev/null");
  ASSERT_EQ(result.exit_code, 0);
  const json node = json::parse(result.out)["nodes"][0];
  EXPECT_EQ(node["num_gpus"], 2);
  ASSERT_EQ(node["gpus"].size(), 2u);
  EXPECT_EQ(node["gpus"][1]["index"], 1);
  EXPECT_EQ(node["gpus"][1]["name"], "Fake H200");
  EXPECT_EQ(node["gpus"][1]["memory_gb"], 141.0);
  EXPECT_THAT(testing::run_process(env + binary() + " resources 2>/dev/null").out,
              AllOf(HasSubstr("GPUs: 2"), HasSubstr("[1] Fake H200, 141.0 GB, GPU-fake0001")));
}

TEST_F(CurateBinaryTest, ExitsTwoOnUsageErrorsWithOneLine) {
  TempDir dir;
  write_file(dir / "p.yaml", "stages: [{stage: jsonl_redaer}]\n");
  const auto result =
      testing::run_process(binary() + " run " + (dir / "p.yaml").string() + " 2>&1");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.out, AllOf(HasSubstr("p.yaml:1"), HasSubstr("did you mean 'jsonl_reader'")));
  EXPECT_EQ(std::count(result.out.begin(), result.out.end(), '\n'), 1) << result.out;
  EXPECT_EQ(testing::run_process(binary() + " 2>/dev/null").exit_code, 2);
}

}  // namespace
}  // namespace curate::cli
