// Removal: the id set, the removal-list loader (bad lines name file and line) and the
// remove_duplicates stage, alone and from the registry.

#include "curate/core/composite_stage.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/core/stage_registry.hpp"
#include "curate/dedup/register_dedup_stages.hpp"
#include "curate/dedup/removal/id_set.hpp"
#include "curate/dedup/removal/removal_list.hpp"
#include "curate/dedup/removal/remove_duplicates_stage.hpp"

#include "dedup/dedup_test_util.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unordered_set>

namespace curate::dedup {
namespace {

using ::testing::HasSubstr;
using testing::TempDir;
using testing::write_file;

TEST(IdSetTest, MatchesAStandardSet) {
  IdSet ids;
  std::unordered_set<std::string> reference;
  for (int i = 0; i < 20000; ++i) {
    const std::string id = fmt::format("id-{}", (i * 7919) % 15000);
    EXPECT_EQ(ids.insert(id), reference.insert(id).second);
  }
  EXPECT_EQ(ids.size(), reference.size());
  for (int i = 0; i < 30000; ++i) {
    const std::string id = fmt::format("id-{}", i);
    EXPECT_EQ(ids.contains(id), reference.contains(id)) << id;
  }
  EXPECT_FALSE(ids.contains(""));
  EXPECT_TRUE(ids.insert(""));
  EXPECT_TRUE(ids.contains(""));
  EXPECT_FALSE(IdSet().contains("x"));
}

TEST(RemovalListTest, LoadsStringAndIntegerIdsAndSkipsBlankLines) {
  TempDir dir;
  write_file(dir.file("a.jsonl"), "{\"id\":\"x\",\"kept_id\":\"y\"}\n\n  \n{\"id\":17}\n");
  IdSet ids;
  EXPECT_EQ(load_removal_list({dir.file("a.jsonl")}, ids), 2u);
  EXPECT_TRUE(ids.contains("x"));
  EXPECT_TRUE(ids.contains("17"));
  EXPECT_FALSE(ids.contains("y"));
}

TEST(RemovalListTest, BadLinesNameFileAndLine) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"{\"id\":\"ok\"}\n{\"id\": broken\n", ":2: bad removal list line: not JSON"},
      {"[1, 2]\n", ":1: bad removal list line: not a JSON object"},
      {"{\"ok\":1}\n", ":1: bad removal list line: no \"id\" member"},
      {"\n\n{\"id\":[1]}\n", ":3: bad removal list line: \"id\" is neither a string nor"},
      {"{\"id\":1.5}\n", ":1: bad removal list line: \"id\" is neither"},
  };
  for (const auto& [content, message] : cases) {
    TempDir dir;
    write_file(dir.file("list.jsonl"), content);
    IdSet ids;
    try {
      load_removal_list({dir.file("list.jsonl")}, ids);
      ADD_FAILURE() << "expected std::runtime_error for " << content;
    } catch (const std::runtime_error& error) {
      EXPECT_THAT(error.what(), HasSubstr(dir.file("list.jsonl") + message));
    }
  }
}

std::shared_ptr<DocumentBatch> batch_of_ids(const std::vector<std::string>& ids) {
  auto batch = std::make_shared<DocumentBatch>("batch");
  StringColumn id_column;
  StringColumn text;
  for (const auto& id : ids) {
    id_column.append(id);
    text.append("text of " + id);
  }
  batch->set_column("text", std::move(text));
  batch->set_column("doc_id", std::move(id_column));
  return batch;
}

TEST(RemoveDuplicatesStageTest, DropsListedDocumentsAndCountsThem) {
  TempDir dir;
  write_file(dir.file("list/part.00000.jsonl"), "{\"id\":\"b\",\"kept_id\":\"a\"}\n");
  write_file(dir.file("list/part.00001.jsonl"), "{\"id\":\"d\",\"kept_id\":\"a\"}\n");
  RemoveDuplicatesStage stage({{dir.file("list")}, "doc_id"});
  EXPECT_EQ(stage.removal_files().size(), 2u);
  auto clone = stage.clone();
  clone->setup(WorkerMetadata{"w", std::nullopt, nullptr});
  const auto out = clone->process(batch_of_ids({"a", "b", "c", "d", "e"}));
  ASSERT_EQ(out.size(), 1u);
  const auto& batch = dynamic_cast<const DocumentBatch&>(*out[0]);
  const auto ids = batch.strings("doc_id");
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0], "a");
  EXPECT_EQ(ids[1], "c");
  EXPECT_EQ(ids[2], "e");
  EXPECT_EQ(batch.text()[1], "text of c");
  EXPECT_EQ(batch.metadata()["dropped_by_reason"]["duplicate"], 2);
  // The clone loaded the list for the stage too: the list is shared.
  EXPECT_EQ(stage.removal_ids().size(), 2u);
  // A batch with nothing listed passes unchanged (the same task).
  const auto untouched = batch_of_ids({"x", "y"});
  EXPECT_EQ(stage.process(untouched).at(0), untouched);
}

TEST(RemoveDuplicatesStageTest, MissingListIsReportedAtConstruction) {
  TempDir dir;
  try {
    RemoveDuplicatesStage stage({{dir.file("nothing_here")}, "id"});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& error) {
    EXPECT_THAT(error.what(), HasSubstr("stage 'remove_duplicates': removal list"));
  }
}

TEST(RemoveDuplicatesStageTest, BadListFailsEveryInstance) {
  TempDir dir;
  write_file(dir.file("list.jsonl"), "{\"id\":\"a\"}\nnot json\n");
  RemoveDuplicatesStage stage({{dir.file("list.jsonl")}, "id"});
  const auto clone = stage.clone();
  for (ProcessingStage* instance : {static_cast<ProcessingStage*>(&stage), clone.get()}) {
    try {
      instance->setup(WorkerMetadata{"w", std::nullopt, nullptr});
      ADD_FAILURE() << "expected std::runtime_error";
    } catch (const std::runtime_error& error) {
      EXPECT_THAT(error.what(), HasSubstr("list.jsonl:2: bad removal list line"));
    }
  }
}

TEST(RegisterDedupStagesTest, BuildsTheStagesFromParameters) {
  TempDir dir;
  write_file(dir.file("list.jsonl"), "{\"id\":\"a\"}\n");
  StageRegistry registry;
  register_dedup_stages(registry);
  EXPECT_TRUE(registry.contains("exact_duplicates"));
  const auto removal =
      registry.create("remove_duplicates", {{"removal_list", dir.file("list.jsonl")}});
  EXPECT_EQ(removal->name(), "remove_duplicates");
  const auto exact = registry.create(
      "exact_duplicates",
      {{"removal_list_dir", dir.file("out")}, {"hash", "md5"}, {"num_partitions", 3}});
  EXPECT_NE(std::dynamic_pointer_cast<CompositeStage>(exact), nullptr);
  EXPECT_THROW(registry.create("exact_duplicates", {{"removal_list_dir", "x"}, {"hash", "sha1"}}),
               std::invalid_argument);
  EXPECT_THROW(registry.create("exact_duplicates", {{"removal_list_dir", "x"}, {"partitions", 3}}),
               std::invalid_argument);
  EXPECT_THROW(registry.create("remove_duplicates", {{"removal_list", 3}}), std::invalid_argument);
}

}  // namespace
}  // namespace curate::dedup
