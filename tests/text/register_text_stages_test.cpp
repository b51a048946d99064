#include "curate/text/register_text_stages.hpp"

#include "curate/text/heuristic_filter_stage.hpp"
#include "filter_test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace curate::text {
namespace {

using testing::good_english;
using ::testing::HasSubstr;
using testing::make_batch;

// The rule-set snippets are YAML sequences of one flow mapping per line. The text layer
// does not link yaml-cpp, so read that subset here: scalars, and lists of scalars.
nlohmann::json parse_scalar(std::string value) {
  while (!value.empty() && value.front() == ' ') value.erase(value.begin());
  while (!value.empty() && value.back() == ' ') value.pop_back();
  if (value == "true") return true;
  if (value == "false") return false;
  if (value == "null") return nullptr;
  try {
    std::size_t used = 0;
    if (value.find('.') == std::string::npos) {
      const long long integer = std::stoll(value, &used);
      if (used == value.size()) return integer;
    }
    const double number = std::stod(value, &used);
    if (used == value.size()) return number;
  } catch (const std::exception&) {
  }
  return value;
}

std::vector<std::string> split_top_level(const std::string& body) {
  std::vector<std::string> parts;
  int depth = 0;
  std::string current;
  for (char c : body) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) parts.push_back(current);
  return parts;
}

nlohmann::json read_snippet(const std::string& name) {
  std::ifstream in("examples/filters/" + name);
  EXPECT_TRUE(in.good()) << "cannot open examples/filters/" << name << " (run from the repo root)";
  nlohmann::json entries = nlohmann::json::array();
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    EXPECT_TRUE(line.starts_with("- {") && line.ends_with("}")) << line;
    nlohmann::json entry = nlohmann::json::object();
    for (const std::string& part : split_top_level(line.substr(3, line.size() - 4))) {
      const auto colon = part.find(':');
      std::string key = part.substr(0, colon);
      key.erase(0, key.find_first_not_of(' '));
      std::string value = part.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      if (value.starts_with("[")) {
        nlohmann::json list = nlohmann::json::array();
        for (const std::string& item : split_top_level(value.substr(1, value.size() - 2))) {
          list.push_back(parse_scalar(item));
        }
        entry[key] = list;
      } else {
        entry[key] = parse_scalar(value);
      }
    }
    entries.push_back(entry);
  }
  return entries;
}

class RegisterTextStagesTest : public ::testing::Test {
 protected:
  RegisterTextStagesTest() { register_text_stages(registry_); }

  std::shared_ptr<DocumentBatch> run(const std::string& stage, const nlohmann::json& params,
                                     std::shared_ptr<DocumentBatch> batch) {
    StagePtr built = registry_.create(stage, params);
    return std::dynamic_pointer_cast<DocumentBatch>(built->process(batch).at(0));
  }

  StageRegistry registry_;
};

TEST_F(RegisterTextStagesTest, RegistersStagesAndOneStagePerFilter) {
  for (const char* name :
       {"heuristic_filter", "score_filter", "score", "filter", "normalize_unicode"}) {
    EXPECT_TRUE(registry_.contains(name)) << name;
  }
  for (const std::string& filter : builtin_filters().names())
    EXPECT_TRUE(registry_.contains(filter)) << filter;
  EXPECT_GE(builtin_filters().names().size(), 40u);
}

TEST_F(RegisterTextStagesTest, UnknownParametersAreErrorsWithSuggestions) {
  try {
    registry_.create("heuristic_filter",
                     {{"filters", {{{"name", "word_count"}, {"min_word", 3}}}}});
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), HasSubstr("min_word"));
    EXPECT_THAT(error.what(), HasSubstr("min_words"));
    EXPECT_THAT(error.what(), HasSubstr("filters[0]"));
  }
  EXPECT_THROW(registry_.create("heuristic_filter", {{"filters", {"word_cont"}}}),
               std::invalid_argument);
  EXPECT_THROW(
      registry_.create("heuristic_filter", {{"filters", {"word_count"}}, {"save_score", true}}),
      std::invalid_argument);
  EXPECT_THROW(registry_.create("heuristic_filter", {{"filters", {{{"min_words", 3}}}}}),
               std::invalid_argument);
  EXPECT_THROW(registry_.create("word_count", {{"min_words", "many"}}), std::invalid_argument);
  EXPECT_THROW(registry_.create("heuristic_filter", nlohmann::json::object()),
               std::invalid_argument);
}

TEST_F(RegisterTextStagesTest, HeuristicFilterSavesScoresByName) {
  auto out = run("heuristic_filter",
                 {{"filters", {"word_count", "mean_word_length"}}, {"save_scores", true}},
                 make_batch({good_english(), "tiny"}));
  ASSERT_EQ(out->num_rows(), 1u);
  EXPECT_DOUBLE_EQ(out->doubles("word_count")[0], 58.0);
  EXPECT_TRUE(out->has_column("mean_word_length"));
}

TEST_F(RegisterTextStagesTest, ScoreFilterScoreAndFilterStages) {
  auto scored = run("score", {{"filter", "word_count"}}, make_batch({"a b", "a b c"}));
  EXPECT_EQ(scored->num_rows(), 2u);
  EXPECT_DOUBLE_EQ(scored->doubles("word_count")[1], 3.0);
  auto filtered =
      run("filter",
          {{"filter", {{"name", "word_count"}, {"min_words", 3}}}, {"score_field", "word_count"}},
          scored);
  EXPECT_EQ(filtered->num_rows(), 1u);
  auto kept = run("score_filter",
                  {{"filter", {{"name", "word_count"}, {"min_words", 3}}},
                   {"invert", true},
                   {"score_field", "n"}},
                  make_batch({"a b", "a b c"}));
  ASSERT_EQ(kept->num_rows(), 1u);
  EXPECT_DOUBLE_EQ(kept->doubles("n")[0], 2.0);
  auto direct = run("word_count", {{"min_words", 3}}, make_batch({"a b", "a b c"}));
  EXPECT_EQ(direct->num_rows(), 1u);
}

TEST_F(RegisterTextStagesTest, NormalizeUnicodeStage) {
  auto out =
      run("normalize_unicode", nlohmann::json::object(), make_batch({"cafe\u0301", "plain"}));
  EXPECT_EQ(testing::texts_of(*out), (std::vector<std::string>{"caf\u00e9", "plain"}));
  EXPECT_THROW(registry_.create("normalize_unicode", {{"form", "nfx"}}), std::invalid_argument);
}

struct Snippet {
  const char* file;
  std::size_t entries;
};

TEST_F(RegisterTextStagesTest, RuleSetSnippetsBuildWithThePublishedDefaults) {
  for (const Snippet& snippet :
       {Snippet{"nemo_english.yaml", 28}, Snippet{"gopher_quality.yaml", 8},
        Snippet{"gopher_repetition.yaml", 13}, Snippet{"c4.yaml", 4},
        Snippet{"fineweb_quality.yaml", 4}}) {
    const nlohmann::json entries = read_snippet(snippet.file);
    EXPECT_EQ(entries.size(), snippet.entries) << snippet.file;
    // Every entry states each threshold; each must equal the filter's own default, so
    // that the snippet and the code cannot drift apart.
    for (const auto& entry : entries) {
      const FilterRegistration& registration = builtin_filters().get(entry["name"]);
      for (const StageParamInfo& info : registration.params) {
        if (entry.contains(info.name) && !info.default_value.is_null() && info.name != "n") {
          EXPECT_EQ(entry[info.name], info.default_value) << snippet.file << " " << entry.dump();
        }
      }
      // N-gram thresholds default to Gopher's table for the entry's n.
      if (entry.contains("n")) {
        nlohmann::json defaults_only = {{"name", entry["name"]}, {"n", entry["n"]}};
        const FilterPtr by_default = parse_filter_entry(defaults_only, "test").filter;
        const FilterPtr as_written = parse_filter_entry(entry, "test").filter;
        const auto* a = dynamic_cast<const StatisticFilter*>(by_default.get());
        const auto* b = dynamic_cast<const StatisticFilter*>(as_written.get());
        ASSERT_TRUE(a && b);
        EXPECT_DOUBLE_EQ(*a->threshold().max, *b->threshold().max)
            << snippet.file << " " << entry.dump();
      }
    }
    StagePtr stage = registry_.create("heuristic_filter", {{"filters", entries}});
    auto out = std::dynamic_pointer_cast<DocumentBatch>(
        stage->process(make_batch({good_english()})).at(0));
    ASSERT_NE(out, nullptr) << snippet.file;
  }
}

TEST_F(RegisterTextStagesTest, NemoEnglishSetKeepsCleanProseAndNamesEachDrop) {
  const nlohmann::json entries = read_snippet("nemo_english.yaml");
  auto out = run("heuristic_filter", {{"filters", entries}},
                 make_batch({good_english(), "", testing::repeat("buy now ", 60),
                             good_english() + " http://x.y/" + testing::repeat("a", 400)}));
  EXPECT_EQ(testing::texts_of(*out), (std::vector<std::string>{good_english()}));
  // The empty text fails the first rule; the one unpunctuated line fails "punctuation"
  // (1 of 1 lines without an end mark); the URL tail is over 20% of the characters.
  EXPECT_EQ(out->metadata()[kDroppedByReasonKey],
            (nlohmann::json{{"alpha_numeric", 1}, {"punctuation", 1}, {"urls_ratio", 1}}));
}

}  // namespace
}  // namespace curate::text
