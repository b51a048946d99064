// `curate dedup fuzzy`: the removal list with evidence, stats.json, and option errors
// that exit 2 before anything runs.

#include "cli/cli_test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>

namespace curate::cli::testing {
namespace {

using ::testing::HasSubstr;

// Ten originals of distinct words, each followed later by an exact and a near copy.
void write_corpus(const TempDir& dir) {
  std::ostringstream first;
  std::ostringstream second;
  for (int i = 0; i < 10; ++i) {
    std::string text;
    for (int w = 0; w < 60; ++w) text += "w" + std::to_string(i * 1000 + w) + " ";
    first << nlohmann::json{{"id", "orig-" + std::to_string(i)}, {"text", text}}.dump() << "\n";
    second << nlohmann::json{{"id", "exact-" + std::to_string(i)}, {"text", text}}.dump() << "\n";
    second
        << nlohmann::json{{"id", "near-" + std::to_string(i)}, {"text", text + "one more"}}.dump()
        << "\n";
  }
  write_file(dir / "in/a.jsonl", first.str());
  write_file(dir / "in/b.jsonl", second.str());
}

std::map<std::string, nlohmann::json> removal_list(const std::filesystem::path& dir) {
  std::map<std::string, nlohmann::json> removals;
  for (const auto& [name, content] : folder_contents(dir)) {
    std::istringstream lines(content);
    for (std::string line; std::getline(lines, line);) {
      const auto record = nlohmann::json::parse(line);
      removals[record.at("id")] = record;
    }
  }
  return removals;
}

TEST(DedupCommand, FuzzyWritesTheRemovalListWithEvidenceAndStats) {
  TempDir dir;
  write_corpus(dir);
  const auto result = run_curate({"dedup", "fuzzy", "--input", (dir / "in").string(), "--output",
                                  (dir / "out").string(), "--workers", "2"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("P(candidate)"));
  EXPECT_THAT(result.out, HasSubstr("20 removed"));
  const auto removals = removal_list(dir / "out/removal_list");
  ASSERT_EQ(removals.size(), 20u);
  for (int i = 0; i < 10; ++i) {
    const auto& exact = removals.at("exact-" + std::to_string(i));
    EXPECT_EQ(exact.at("kept_id"), "orig-" + std::to_string(i));
    EXPECT_EQ(exact.at("similarity"), 1.0);
    const auto& near = removals.at("near-" + std::to_string(i));
    EXPECT_EQ(near.at("kept_id"), "orig-" + std::to_string(i));
    EXPECT_NEAR(near.at("similarity").get<double>(), 56.0 / 58.0, 1e-12);
  }
  const auto stats = nlohmann::json::parse(read_file(dir / "out/stats.json"));
  EXPECT_EQ(stats.at("counters").at("documents"), 30);
  EXPECT_EQ(stats.at("counters").at("documents_removed"), 20);
  EXPECT_EQ(stats.at("counters").at("components"), 10);
  EXPECT_TRUE(stats.at("phases").contains("candidates"));
  EXPECT_TRUE(stats.at("phases").contains("verify"));
}

TEST(DedupCommand, FuzzyPerformRemovalWritesTheKeptCorpusAndRefusesStaleOutput) {
  TempDir dir;
  write_corpus(dir);
  const std::vector<std::string> args{"dedup",
                                      "fuzzy",
                                      "--input",
                                      (dir / "in").string(),
                                      "--output",
                                      (dir / "out").string(),
                                      "--perform-removal"};
  auto result = run_curate(args);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string kept;
  for (const auto& [name, content] : folder_contents(dir / "out/deduplicated")) kept += content;
  for (int i = 0; i < 10; ++i) {
    EXPECT_THAT(kept, HasSubstr("\"orig-" + std::to_string(i) + "\""));
    EXPECT_THAT(kept, ::testing::Not(HasSubstr("\"exact-" + std::to_string(i) + "\"")));
    EXPECT_THAT(kept, ::testing::Not(HasSubstr("\"near-" + std::to_string(i) + "\"")));
  }
  result = run_curate(args);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("is not empty"));
  auto overwrite = args;
  overwrite.push_back("--overwrite");
  EXPECT_EQ(run_curate(overwrite).exit_code, 0);
}

TEST(DedupCommand, ExactRemovesIdenticalTextsOnly) {
  TempDir dir;
  write_corpus(dir);
  const auto result = run_curate({"dedup", "exact", "--input", (dir / "in").string(), "--output",
                                  (dir / "out").string(), "--hash", "md5"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("10 removed"));
  const auto removals = removal_list(dir / "out/removal_list");
  ASSERT_EQ(removals.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(removals.at("exact-" + std::to_string(i)).at("kept_id"), "orig-" + std::to_string(i));
  }
  const auto stats = nlohmann::json::parse(read_file(dir / "out/stats.json"));
  EXPECT_EQ(stats.at("workflow"), "exact");
  EXPECT_EQ(stats.at("counters").at("duplicate_groups"), 10);
  EXPECT_EQ(run_curate({"dedup", "exact", "--input", (dir / "in").string(), "--output",
                        (dir / "out2").string(), "--hash", "sha1"})
                .exit_code,
            2);
}

TEST(DedupCommand, DescribePrintsTheSCurveAndRunsNothing) {
  TempDir dir;
  write_corpus(dir);
  const auto result =
      run_curate({"dedup", "fuzzy", "--input", (dir / "in").string(), "--output",
                  (dir / "out").string(), "--describe", "--lsh-preset", "nemo_curator"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("20 bands x 13 rows"));
  EXPECT_THAT(result.out, HasSubstr("J=0.70"));
  EXPECT_THAT(result.out, HasSubstr("J=0.80"));
  EXPECT_THAT(result.out, HasSubstr("J=0.90"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

TEST(DedupCommand, JsonPrintsOnlyTheCounters) {
  TempDir dir;
  write_corpus(dir);
  const auto result = run_curate({"dedup", "fuzzy", "--input", (dir / "in").string(), "--output",
                                  (dir / "out").string(), "--json", "--char-ngrams", "24"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto counters = nlohmann::json::parse(result.out);
  EXPECT_EQ(counters.at("documents_removed"), 20);
}

TEST(DedupCommand, BadOptionsExitTwoAndSayWhy) {
  TempDir dir;
  write_corpus(dir);
  const std::string in = (dir / "in").string();
  const std::string out = (dir / "out").string();
  auto result =
      run_curate({"dedup", "fuzzy", "--input", in, "--output", out, "--threshold", "1.5"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("jaccard_threshold must be in (0, 1]"));
  result = run_curate({"dedup", "fuzzy", "--input", in, "--output", out, "--num-bands", "10"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--num-bands and --minhashes-per-band go together"));
  result = run_curate({"dedup", "fuzzy", "--input", in, "--output", out, "--lsh-preset", "nemo"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("nemo_curator"));
  result = run_curate({"dedup", "fuzzy", "--input", (dir / "missing").string(), "--output", out});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("missing"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out/removal_list"));
}

}  // namespace
}  // namespace curate::cli::testing

namespace curate::cli::testing {
namespace {

TEST(WorkflowFile, CurateRunStartsTheFuzzyWorkflowOfAYamlFile) {
  TempDir dir;
  write_corpus(dir);
  write_file(dir / "dedup.yaml",
             "name: dedup\nworkflow: fuzzy_deduplication\nparams:\n  input_path: " +
                 (dir / "in").string() + "\n  output_path: " + (dir / "out").string() +
                 "\n  char_ngrams: 24\n  perform_removal: true\n"
                 "executor: {config: {num_cpus: 2}}\n");
  const auto result = run_curate({"run", (dir / "dedup.yaml").string(), "--quiet"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(removal_list(dir / "out/removal_list").size(), 20u);
  EXPECT_TRUE(std::filesystem::exists(dir / "out/deduplicated"));
}

TEST(WorkflowFile, EveryMistakeIsReportedWithItsLine) {
  TempDir dir;
  write_file(dir / "dedup.yaml",
             "workflow: fuzzy_deduplication\nparams:\n  input_path: x\n  char_ngram: 24\n"
             "  jaccard_threshold: high\nexecuter: {}\n");
  const auto result = run_curate({"run", (dir / "dedup.yaml").string()});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("dedup.yaml:4: fuzzy_deduplication: unknown parameter "
                                    "'char_ngram' (did you mean 'char_ngrams'"));
  EXPECT_THAT(
      result.err,
      HasSubstr(
          "dedup.yaml:5: fuzzy_deduplication: parameter 'jaccard_threshold' has the wrong type"));
  EXPECT_THAT(result.err, HasSubstr("unknown key 'executer' (did you mean 'executor'"));
  EXPECT_THAT(result.err, HasSubstr("missing required parameter 'output_path'"));
}

TEST(WorkflowFile, CurateStagesListsTheWorkflowsWithTheirParameters) {
  const auto result = run_curate({"stages"});
  ASSERT_EQ(result.exit_code, 0);
  EXPECT_THAT(result.out, HasSubstr("fuzzy_deduplication:"));
  EXPECT_THAT(result.out, HasSubstr("exact_deduplication:"));
  EXPECT_THAT(result.out, HasSubstr("minhashes_per_band"));
  EXPECT_THAT(result.out, HasSubstr("bands_per_iteration"));
}

}  // namespace
}  // namespace curate::cli::testing
