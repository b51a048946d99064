// Every stage a pipeline file can build crosses processes as its registry name and
// parameters: made by the catalogue, described, rebuilt from the bytes, described again
// to the same bytes (also the sub-stages of a composite, after expansion).

#include "curate/cli/stage_catalogue.hpp"
#include "curate/core/composite_stage.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace curate::cli {
namespace {

using nlohmann::json;

TEST(StageCatalogueDescription, EveryStageMadeWithDefaultsRoundTrips) {
  testing::TempDir dir;
  testing::write_file(dir.file("in/a.jsonl"), "{\"text\": \"a\"}\n");
  testing::write_file(dir.file("list/part.00000.jsonl"), "{\"id\": \"x\"}\n");
  // Parameters for the stages that require some; the others take their defaults.
  const json required = {
      {"jsonl_reader", {{"paths", dir.file("in")}}},
      {"file_partitioning", {{"paths", dir.file("in")}}},
      {"jsonl_writer", {{"output_dir", dir.file("out")}}},
      {"exact_duplicates", {{"removal_list_dir", dir.file("removals")}}},
      {"remove_duplicates", {{"removal_list", dir.file("list")}}},
      {"score_filter", {{"filter", {{"name", "word_count"}}}}},
      {"filter", {{"filter", {{"name", "word_count"}}}, {"score_field", "s"}}},
      {"score", {{"filter", {{"name", "word_count"}}}, {"score_field", "s"}}},
      {"heuristic_filter", {{"filters", json::array({{{"name", "word_count"}}})}}},
  };
  const StageRegistry registry = make_stage_catalogue();
  std::size_t described = 0;
  std::vector<std::string> not_made;
  for (const std::string& name : registry.names()) {
    const json params = required.contains(name) ? required[name] : json::object();
    StagePtr stage;
    try {
      stage = registry.create(name, params);
    } catch (const std::invalid_argument& error) {
      not_made.push_back(name + ": " + error.what());
      continue;
    }
    std::vector<StagePtr> stages = {stage};
    if (const auto* composite = dynamic_cast<const CompositeStage*>(stage.get())) {
      stages = composite->expand();
    }
    for (const StagePtr& part : stages) {
      const std::string bytes = part->describe().to_bytes();
      const StagePtr copy = registry.rebuild(bytes);
      EXPECT_EQ(copy->describe().to_bytes(), bytes) << name;
      EXPECT_EQ(copy->name(), part->name());
      EXPECT_EQ(copy->stage_spec().to_json(), part->stage_spec().to_json());
      ++described;
    }
  }
  EXPECT_GE(described, registry.names().size()) << ::testing::PrintToString(not_made);
  EXPECT_LE(not_made.size(), 3u) << ::testing::PrintToString(not_made);
}

}  // namespace
}  // namespace curate::cli
