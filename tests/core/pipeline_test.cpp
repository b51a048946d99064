#include "curate/core/pipeline.hpp"
#include "curate/core/composite_stage.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/core/stage_registry.hpp"
#include "curate/core/task_ids.hpp"

#include <gtest/gtest.h>

namespace curate {
namespace {

class TagStage : public CloneableStage<TagStage> {
 public:
  explicit TagStage(std::string name, std::vector<std::string> needs = {},
                    std::vector<std::string> makes = {})
      : CloneableStage(std::move(name)), needs_(std::move(needs)), makes_(std::move(makes)) {}
  StageIO inputs() const override { return {needs_}; }
  StageIO outputs() const override { return {makes_}; }
  std::vector<TaskPtr> process(TaskPtr task) override { return {task}; }

 private:
  std::vector<std::string> needs_;
  std::vector<std::string> makes_;
};

class ReaderLike : public CloneableStage<ReaderLike, CompositeStage> {
 public:
  ReaderLike() : CloneableStage("reader") {}
  std::vector<StagePtr> decompose() const override {
    return {std::make_shared<TagStage>("partition"),
            std::make_shared<TagStage>("read", std::vector<std::string>{},
                                       std::vector<std::string>{"text"})};
  }
};

class Nested : public CloneableStage<Nested, CompositeStage> {
 public:
  Nested() : CloneableStage("nested") {}
  std::vector<StagePtr> decompose() const override { return {std::make_shared<ReaderLike>()}; }
};

class RecordingExecutor : public Executor {
 public:
  std::vector<TaskPtr> execute(const std::vector<StagePtr>& stages,
                               std::vector<TaskPtr> initial) override {
    stage_names.clear();
    for (const auto& stage : stages) stage_names.push_back(stage->name());
    return initial;
  }
  std::vector<std::string> stage_names;
};

TEST(Pipeline, EmptyPipelineIsAnError) {
  EXPECT_THROW(Pipeline("p").build(), std::invalid_argument);
}

TEST(Pipeline, ExpandsCompositesOnceInPlace) {
  Pipeline pipeline("p");
  pipeline.add_stage(std::make_shared<ReaderLike>())
      .add_stage(std::make_shared<TagStage>("score", std::vector<std::string>{"text"}));
  RecordingExecutor executor;
  auto outputs = pipeline.run(executor);
  EXPECT_EQ(executor.stage_names, (std::vector<std::string>{"partition", "read", "score"}));
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(outputs[0]->type_name(), "EmptyTask");
}

TEST(Pipeline, NestedCompositeIsAnError) {
  Pipeline pipeline("p", {std::make_shared<Nested>()});
  EXPECT_THROW(pipeline.build(), std::invalid_argument);
}

TEST(Pipeline, MissingInputColumnNamesStageAndColumn) {
  Pipeline pipeline("p", {std::make_shared<TagStage>("score", std::vector<std::string>{"text"})});
  try {
    pipeline.build();
    FAIL();
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("stage 'score' needs column 'text'"),
              std::string::npos);
  }
}

TEST(CompositeStage, OverridesSubStagesByNameAndRejectsUnknownNames) {
  auto reader = std::make_shared<ReaderLike>();
  StageOverrides bigger;
  bigger.batch_size = 8;
  auto stages = reader->with_sub_stages({{"read", bigger}})->expand();
  EXPECT_EQ(stages[1]->batch_size(), 8);
  EXPECT_EQ(stages[0]->batch_size(), 1);
  EXPECT_THROW(reader->with_sub_stages({{"raed", bigger}})->expand(), std::invalid_argument);
}

TEST(ProcessingStage, WithReturnsAModifiedCopyAndUserSpecKeysWin) {
  TagStage stage("s");
  StageOverrides overrides;
  overrides.name = "renamed";
  overrides.resources = Resources{2.0, 0.0, 0.5};
  overrides.num_workers = 3;
  StageSpec spec;
  spec.set(StageSpecKey::IsActorStage, true);
  overrides.stage_spec = spec;
  auto copy = stage.with_(overrides);
  EXPECT_EQ(stage.name(), "s");
  EXPECT_EQ(copy->name(), "renamed");
  EXPECT_EQ(copy->resources().gpus, 0.5);
  EXPECT_EQ(copy->num_workers(), 3);
  EXPECT_TRUE(copy->stage_spec().is_actor_stage());
  EXPECT_FALSE(stage.stage_spec().is_actor_stage());
  StageOverrides bad;
  bad.batch_size = 0;
  EXPECT_THROW(stage.with_(bad), std::invalid_argument);
}

TEST(ProcessingStage, DefaultProcessBatchValidatesInputs) {
  TagStage stage("score", {"text"});
  auto batch = std::make_shared<DocumentBatch>("t1");
  EXPECT_THROW(stage.process_batch({batch}), std::invalid_argument);
  StringColumn text;
  text.append("x");
  batch->set_column("text", std::move(text));
  EXPECT_EQ(stage.process_batch({batch}).size(), 1u);
}

TEST(TaskIds, PositionalForEqualCountsParentIndexForFanOut) {
  std::vector<TaskPtr> same{std::make_shared<EmptyTask>(""), std::make_shared<EmptyTask>("")};
  assign_output_ids({"a", "b"}, same);
  EXPECT_EQ(same[0]->task_id(), "a");
  EXPECT_EQ(same[1]->task_id(), "b");
  std::vector<TaskPtr> fan{std::make_shared<EmptyTask>(""), std::make_shared<EmptyTask>("kept"),
                           std::make_shared<EmptyTask>("")};
  assign_output_ids({"p"}, fan);
  EXPECT_EQ(fan[0]->task_id(), "p_0");
  EXPECT_EQ(fan[1]->task_id(), "kept");
  EXPECT_EQ(fan[2]->task_id(), "p_2");
  std::vector<TaskPtr> merged{std::make_shared<EmptyTask>("")};
  assign_output_ids({"a", "b"}, merged);
  EXPECT_EQ(merged[0]->task_id(), stable_hash_id("a\nb\n") + "_0");
}

TEST(StageRegistry, UnknownNamesAndParametersSuggestTheClosest) {
  StageRegistry registry;
  registry.add({"word_count_filter",
                "keep documents by word count",
                {{"min_words", 50, "fewest words"}, {"max_words", 100000, "most words"}},
                [](StageParams& params) -> StagePtr {
                  params.get<int>("min_words", 50);
                  params.get<int>("max_words", 100000);
                  return std::make_shared<TagStage>("word_count_filter");
                }});
  EXPECT_EQ(registry.create("word_count_filter", {{"min_words", 3}})->name(), "word_count_filter");
  try {
    registry.create("word_cont_filter", {});
    FAIL();
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(),
                 "unknown stage 'word_cont_filter' (did you mean 'word_count_filter'?)");
  }
  try {
    registry.create("word_count_filter", {{"min_word", 3}});
    FAIL();
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(),
                 "stage 'word_count_filter': unknown parameter 'min_word' (did you mean "
                 "'min_words'?)");
  }
  EXPECT_THROW(registry.create("word_count_filter", {{"min_words", "many"}}),
               std::invalid_argument);
}

TEST(StageRegistry, CreateCheckedReportsEveryProblemAtOnce) {
  StageRegistry registry;
  registry.add({"reader",
                "needs a path",
                {{"path", nullptr, "required"}, {"rows", 10, "per batch"}},
                [](StageParams& params) -> StagePtr {
                  if (params.require<std::string>("path") == "missing") {
                    throw std::invalid_argument(
                        "stage 'reader': input path 'missing' does not exist");
                  }
                  params.get<int>("rows", 10);
                  return std::make_shared<TagStage>("reader");
                }});
  auto created = registry.create_checked("reader", {{"path", "here"}, {"rwos", 1}, {"x", 2}});
  ASSERT_NE(created.stage, nullptr);  // built, but two parameters are unknown
  EXPECT_EQ(created.errors, (std::vector<std::string>{
                                "stage 'reader': unknown parameter 'rwos' (did you mean 'rows'?)",
                                "stage 'reader': unknown parameter 'x'"}));
  // The factory threw before reading `rows`: that one is not called unknown, `rwos` is.
  created = registry.create_checked("reader", {{"path", "missing"}, {"rows", 1}, {"rwos", 1}});
  EXPECT_EQ(created.stage, nullptr);
  EXPECT_EQ(created.errors,
            (std::vector<std::string>{
                "stage 'reader': input path 'missing' does not exist",
                "stage 'reader': unknown parameter 'rwos' (did you mean 'rows'?)"}));
  EXPECT_TRUE(registry.create_checked("reader", {{"path", "here"}}).errors.empty());
}

}  // namespace
}  // namespace curate
