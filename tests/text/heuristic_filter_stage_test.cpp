#include "curate/text/heuristic_filter_stage.hpp"

#include "filter_test_util.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace curate::text {
namespace {

using testing::good_english;
using testing::make_batch;
using testing::texts_of;

std::shared_ptr<DocumentBatch> run(HeuristicFilterStage& stage,
                                   std::shared_ptr<DocumentBatch> batch) {
  auto outputs = stage.process(batch);
  EXPECT_EQ(outputs.size(), 1u);
  auto out = std::dynamic_pointer_cast<DocumentBatch>(outputs.at(0));
  EXPECT_NE(out, nullptr);
  return out;
}

HeuristicFilterOptions options_for(const nlohmann::json& filters, bool save_scores = false) {
  HeuristicFilterOptions options;
  options.filters = parse_filter_list(filters, "test", save_scores);
  return options;
}

class TempDir {
 public:
  TempDir()
      : path_(std::filesystem::temp_directory_path() /
              ("curate_text_test_" +
               std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    std::filesystem::remove_all(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

TEST(HeuristicFilterStageTest, DropsOnFirstFailingFilterAndCountsReasons) {
  HeuristicFilterStage stage("heuristic_filter",
                             options_for({{{"name", "word_count"}, {"min_words", 3}},
                                          {{"name", "numbers_ratio"}},
                                          "common_english_words"}));
  auto out = run(stage, make_batch({"too short", "the cat and the dog", "1 2 3 4 5 6 the and",
                                    "no common words here", "x"}));
  EXPECT_EQ(texts_of(*out), (std::vector<std::string>{"the cat and the dog"}));
  EXPECT_EQ(out->metadata()[kDroppedByReasonKey],
            (nlohmann::json{{"word_count", 2}, {"numbers_ratio", 1}, {"common_english_words", 1}}));
}

TEST(HeuristicFilterStageTest, SavesScoresOfKeptDocuments) {
  HeuristicFilterStage stage(
      "heuristic_filter",
      options_for({"word_count", {{"name", "repeating_top_ngrams"}, {"n", 2}}}, true));
  auto out = run(stage, make_batch({good_english(), "short"}));
  ASSERT_EQ(out->num_rows(), 1u);
  EXPECT_DOUBLE_EQ(out->doubles("word_count")[0], 58.0);
  EXPECT_TRUE(out->has_column("repeating_top_2grams"));
  EXPECT_EQ(stage.outputs().columns,
            (std::vector<std::string>{"word_count", "repeating_top_2grams"}));
}

TEST(HeuristicFilterStageTest, InvertKeepsWhatTheFilterDrops) {
  HeuristicFilterStage stage(
      "heuristic_filter",
      options_for({{{"name", "word_count"}, {"min_words", 3}, {"invert", true}}}));
  auto out = run(stage, make_batch({"one two", "one two three"}));
  EXPECT_EQ(texts_of(*out), (std::vector<std::string>{"one two"}));
  EXPECT_EQ(out->metadata()[kDroppedByReasonKey], (nlohmann::json{{"word_count", 1}}));
}

TEST(HeuristicFilterStageTest, KeepsTheBatchWhenNothingIsDropped) {
  HeuristicFilterStage stage("heuristic_filter", options_for({"alpha_numeric"}));
  auto batch = make_batch({"plain text", "more text"}, true);
  auto out = run(stage, batch);
  EXPECT_EQ(out, batch);  // no copy
  EXPECT_EQ(out->metadata()[kDroppedByReasonKey], nlohmann::json::object());
}

TEST(HeuristicFilterStageTest, EmitsAnEmptyBatchWhenEverythingIsDropped) {
  HeuristicFilterStage stage("heuristic_filter", options_for({"word_count"}));
  auto out = run(stage, make_batch({"a", "b", ""}));
  EXPECT_EQ(out->num_rows(), 0u);
  EXPECT_EQ(out->metadata()[kDroppedByReasonKey], (nlohmann::json{{"word_count", 3}}));
}

TEST(HeuristicFilterStageTest, RewritingFiltersReplaceTheTextForLaterFilters) {
  HeuristicFilterStage stage("heuristic_filter",
                             options_for({"c4_lines",
                                          {{"name", "c4_min_sentences"}, {"min_num_sentences", 2}},
                                          "c4_curly_bracket"},
                                         true));
  auto out = run(stage, make_batch({"Keep this line here. And this one too.\nno end mark\n",
                                    "Only one good sentence here.\nnothing else",
                                    "Code {x} is in this line.\nAnd one more sentence here."}));
  EXPECT_EQ(texts_of(*out), (std::vector<std::string>{"Keep this line here. And this one too."}));
  EXPECT_DOUBLE_EQ(out->doubles("c4_lines")[0],
                   1.0);  // "no end mark" (splitlines: no empty last line)
  EXPECT_DOUBLE_EQ(out->doubles("c4_min_sentences")[0], 2.0);
  EXPECT_EQ(out->metadata()[kDroppedByReasonKey],
            (nlohmann::json{{"c4_min_sentences", 1}, {"c4_curly_bracket", 1}}));
}

TEST(HeuristicFilterStageTest, ScoreOnlyModeDropsNothingAndScoresEverything) {
  HeuristicFilterOptions options = options_for({"word_count", "c4_lines"}, true);
  options.mode = FilterMode::kScoreOnly;
  HeuristicFilterStage stage("score", options);
  auto out = run(stage, make_batch({"x", "One two three.\nfour"}));
  EXPECT_EQ(out->num_rows(), 2u);
  EXPECT_EQ(texts_of(*out),
            (std::vector<std::string>{"x", "One two three.\nfour"}));  // not rewritten
  EXPECT_DOUBLE_EQ(out->doubles("word_count")[0], 1.0);
  EXPECT_DOUBLE_EQ(out->doubles("c4_lines")[1], 1.0);
  EXPECT_FALSE(out->metadata().contains(kDroppedByReasonKey));
}

TEST(HeuristicFilterStageTest, WritesRejectedDocumentsWithReasons) {
  TempDir dir;
  HeuristicFilterOptions options = options_for({{{"name", "word_count"}, {"min_words", 2}}});
  options.rejected_dir = dir.path().string();
  HeuristicFilterStage stage("heuristic_filter", options);
  stage.setup(WorkerMetadata{});
  auto batch = make_batch({"kept document", "dropped", "caf\u00e9"}, true);
  batch->set_task_id("file/0");
  run(stage, batch);
  const auto path = dir.path() / "heuristic_filter-file_0.jsonl";
  ASSERT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], (nlohmann::json{{"id", 101}, {"text", "dropped"}, {"reason", "word_count"}}));
  EXPECT_EQ(lines[1]["text"], "caf\u00e9");
  EXPECT_EQ(lines[1]["id"], 102);
}

TEST(HeuristicFilterStageTest, RejectedIdsFallBackToTaskAndRow) {
  TempDir dir;
  HeuristicFilterOptions options = options_for({"word_count"});
  options.rejected_dir = dir.path().string();
  HeuristicFilterStage stage("heuristic_filter", options);
  run(stage, make_batch({"x"}));
  std::ifstream in(dir.path() / "heuristic_filter-task-1.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(nlohmann::json::parse(line)["id"], "task-1:0");
}

TEST(HeuristicFilterStageTest, ClonesHaveIndependentScratch) {
  HeuristicFilterStage stage("heuristic_filter", options_for({"word_count"}));
  auto clone = stage.clone();
  auto out_a = run(stage, make_batch({good_english()}));
  auto outputs = clone->process(make_batch({"short", good_english()}));
  auto out_b = std::dynamic_pointer_cast<DocumentBatch>(outputs.at(0));
  EXPECT_EQ(out_a->num_rows(), 1u);
  EXPECT_EQ(out_b->num_rows(), 1u);
}

TEST(HeuristicFilterStageTest, RejectsOtherTasksAndEmptyFilterLists) {
  HeuristicFilterStage stage("heuristic_filter", options_for({"word_count"}));
  EXPECT_THROW(stage.process(std::make_shared<EmptyTask>()), std::invalid_argument);
  EXPECT_THROW(HeuristicFilterStage("x", HeuristicFilterOptions{}), std::invalid_argument);
}

TEST(HeuristicFilterStageTest, ReadsANamedTextField) {
  HeuristicFilterOptions options = options_for({"word_count"});
  options.text_field = "content";
  HeuristicFilterStage stage("heuristic_filter", options);
  auto batch = std::make_shared<DocumentBatch>("t", "d");
  StringColumn content;
  content.append(good_english());
  content.append("short");
  batch->set_column("content", std::move(content));
  auto out = run(stage, batch);
  EXPECT_EQ(out->num_rows(), 1u);
  EXPECT_EQ(stage.inputs().columns, (std::vector<std::string>{"content"}));
}

TEST(ScoreColumnFilterStageTest, FiltersOnAnExistingColumn) {
  FilterEntry entry = parse_filter_entry({{"name", "word_count"}, {"min_words", 2}}, "test");
  entry.score_field = "words";
  ScoreColumnFilterStage stage("filter", entry);
  auto batch = make_batch({"a", "b", "c"});
  batch->set_column("words", std::vector<int64_t>{1, 5, 2});
  auto out = std::dynamic_pointer_cast<DocumentBatch>(stage.process(batch).at(0));
  EXPECT_EQ(texts_of(*out), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(out->metadata()[kDroppedByReasonKey], (nlohmann::json{{"word_count", 1}}));
  entry.invert = true;
  ScoreColumnFilterStage inverted("filter", entry);
  auto batch2 = make_batch({"a", "b"});
  batch2->set_column("words", std::vector<double>{1.0, 5.0});
  auto out2 = std::dynamic_pointer_cast<DocumentBatch>(inverted.process(batch2).at(0));
  EXPECT_EQ(texts_of(*out2), (std::vector<std::string>{"a"}));
  EXPECT_THROW(ScoreColumnFilterStage("filter", parse_filter_entry("word_count", "t")),
               std::invalid_argument);
}

}  // namespace
}  // namespace curate::text
