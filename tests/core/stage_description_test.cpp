// Stage descriptions in core: what StageRegistry::create makes is describable without
// code of its own, the fields with_ overrides survive the bytes generically, a stage
// built in code without a recipe() says it cannot cross processes, and rebuilders are
// kept apart from the pipeline stages.

#include "curate/core/stage_registry.hpp"
#include "support/test_stages.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace curate {
namespace {

using nlohmann::json;
using testing::LifecycleCounters;

// A stage whose behaviour is its one parameter: it tags each task with `label`.
class LabelStage final : public CloneableStage<LabelStage> {
 public:
  explicit LabelStage(std::string label) : CloneableStage("label"), label_(std::move(label)) {}
  std::vector<TaskPtr> process(TaskPtr task) override {
    task->metadata()["label"] = label_;
    return {task};
  }
  const std::string& label() const { return label_; }

 private:
  std::string label_;
};

StageRegistry label_registry() {
  StageRegistry registry;
  registry.add(StageRegistration{
      "label", "tag tasks", {{"label", json(), "the tag"}}, [](StageParams& params) -> StagePtr {
        return std::make_shared<LabelStage>(params.require<std::string>("label"));
      }});
  registry.add_rebuilder("label_from_payload", [](StageParams&, std::string_view payload) {
    return std::make_shared<LabelStage>(std::string(payload));
  });
  return registry;
}

TEST(StageDescription, ARegistryStageDescribesItselfAndKeepsItsOverrides) {
  const StageRegistry registry = label_registry();
  const StagePtr made = registry.create("label", json{{"label", "blue"}});
  StageOverrides overrides;
  overrides.name = "tagger";
  overrides.resources = Resources{0.5, 0.0, 0.0};
  overrides.batch_size = 4;
  overrides.num_workers = 2;
  StageSpec spec;
  spec.set(StageSpecKey::IsActorStage, true);
  overrides.stage_spec = spec;
  const StagePtr changed = made->with_(overrides);

  const StageDescription description = changed->describe();
  EXPECT_EQ(description.recipe.stage, "label");
  EXPECT_EQ(description.recipe.params, (json{{"label", "blue"}}));
  const StagePtr copy = registry.rebuild(description.to_bytes());
  ASSERT_NE(copy, changed);
  EXPECT_EQ(dynamic_cast<const LabelStage&>(*copy).label(), "blue");
  EXPECT_EQ(copy->name(), "tagger");
  EXPECT_EQ(copy->resources(), (Resources{0.5, 0.0, 0.0}));
  EXPECT_EQ(copy->batch_size(), 4);
  EXPECT_EQ(copy->num_workers(), 2);
  EXPECT_TRUE(copy->stage_spec().is_actor_stage());
  EXPECT_EQ(copy->describe().to_bytes(), description.to_bytes());
  EXPECT_EQ(copy->counters(), json::object());
}

TEST(StageDescription, ThePayloadTravelsAndRebuildersStayOutOfTheCatalogue) {
  const StageRegistry registry = label_registry();
  StageDescription description;
  description.recipe = {"label_from_payload", json::object(), std::string("\0red\xff", 5)};
  description.name = "binary";
  const StageDescription back = StageDescription::from_bytes(description.to_bytes());
  EXPECT_EQ(back.recipe.payload, description.recipe.payload);
  const StagePtr stage = registry.rebuild(back);
  EXPECT_EQ(dynamic_cast<const LabelStage&>(*stage).label(), description.recipe.payload);
  EXPECT_EQ(stage->name(), "binary");
  EXPECT_EQ(registry.names(), std::vector<std::string>{"label"});
  EXPECT_THROW(registry.create("label_from_payload", json::object()), std::invalid_argument);
  EXPECT_THROW(label_registry().add_rebuilder("label", {}), std::invalid_argument);
  // A pipeline stage takes no payload.
  description.recipe = {"label", json{{"label", "x"}}, "bytes"};
  EXPECT_THROW(registry.rebuild(description), std::invalid_argument);
  // Unknown parameters are rejected as in pipeline files.
  description.recipe = {"label", json{{"label", "x"}, {"colour", "y"}}, ""};
  EXPECT_THROW(registry.rebuild(description), std::invalid_argument);
}

TEST(StageDescription, AStageBuiltInCodeSaysItCannotCrossProcesses) {
  const testing::CountingStage stage("counting", std::make_shared<LifecycleCounters>());
  try {
    (void)stage.describe();
    FAIL() << "described a stage without a recipe";
  } catch (const StageNotDescribable& error) {
    EXPECT_NE(std::string(error.what()).find("stage 'counting' cannot run in another process"),
              std::string::npos)
        << error.what();
  }
  EXPECT_THROW(stage.with_({})->describe(), std::invalid_argument);
  EXPECT_EQ(stage.counters(), json::object());
  testing::CountingStage copy = stage;
  EXPECT_NO_THROW(copy.merge_counters(json::object()));
  EXPECT_THROW(copy.merge_counters(json{{"documents", 1}}), std::invalid_argument);
}

}  // namespace
}  // namespace curate
