// Every stage the dedup workflows build crosses processes as a description: each one
// round-trips through bytes (with its with_ overrides), and both workflows run on an
// executor that rebuilds every stage from its description give the bytes and counters of
// an in-process run.

#include "curate/backends/local/local_executor.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/core/pipeline.hpp"
#include "curate/dedup/exact/exact_deduplication_workflow.hpp"
#include "curate/dedup/fuzzy/candidate_index.hpp"
#include "curate/dedup/fuzzy/candidate_shingle_stage.hpp"
#include "curate/dedup/fuzzy/connected_components_stage.hpp"
#include "curate/dedup/fuzzy/duplicate_clustering_stage.hpp"
#include "curate/dedup/fuzzy/fuzzy_columns.hpp"
#include "curate/dedup/fuzzy/fuzzy_deduplication_workflow.hpp"
#include "curate/dedup/fuzzy/lsh_bucket_stage.hpp"
#include "curate/dedup/fuzzy/minhash_stage.hpp"
#include "curate/dedup/workflow_support.hpp"
#include "dedup_test_util.hpp"
#include "describing_executor.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <random>

namespace curate::dedup {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Originals of random words, and near copies (a few words replaced) and exact copies.
void write_near_duplicates(const fs::path& dir, int originals, int copies, unsigned seed) {
  std::mt19937 random(seed);
  auto word = [&] { return fmt::format("w{}", random() % 5000); };
  std::vector<std::vector<std::string>> bodies;
  std::vector<std::string> texts;
  for (int i = 0; i < originals; ++i) {
    bodies.emplace_back();
    for (int w = 0; w < 80; ++w) bodies.back().push_back(word());
    texts.push_back(fmt::format("{}", fmt::join(bodies.back(), " ")));
  }
  for (int i = 0; i < copies; ++i) {
    auto words = bodies[random() % bodies.size()];
    const int edits = static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) words[random() % words.size()] = word();
    texts.insert(texts.begin() + random() % (texts.size() + 1),
                 fmt::format("{}", fmt::join(words, " ")));
  }
  fs::create_directories(dir);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    std::ofstream out(dir / fmt::format("part_{}.jsonl", i % 4), std::ios::app);
    out << json{{"id", fmt::format("doc-{}", i)}, {"text", texts[i]}}.dump() << "\n";
  }
}

class StageDescriptionTest : public ::testing::Test {
 protected:
  void SetUp() override { write_near_duplicates(dir_.path() / "in", 60, 90, 7); }

  DedupInput input(std::size_t batch_rows = 16) const {
    DedupInput in;
    in.paths = {dir_.file("in")};
    in.batch_rows = batch_rows;
    return in;
  }
  // Rebuild a stage from its description's bytes.
  StagePtr round_trip(const ProcessingStage& stage) const {
    return registry_.rebuild(stage.describe().to_bytes());
  }

  testing::TempDir dir_;
  StageRegistry registry_ = testing::dedup_registry();
};

TEST_F(StageDescriptionTest, EveryFuzzyStageRoundTripsWithFreshCounters) {
  auto options = FuzzyOptions{}.resolved();
  options.jaccard_threshold = 0.75;
  auto stats = std::make_shared<FuzzyStats>();
  stats->documents = 5;
  const std::vector<StagePtr> stages = {std::make_shared<MinHashStage>(options, stats),
                                        std::make_shared<LshBucketStage>(options, stats),
                                        std::make_shared<ConnectedComponentsStage>(stats)};
  for (const StagePtr& stage : stages) {
    const StagePtr copy = round_trip(*stage);
    EXPECT_EQ(copy->name(), stage->name());
    EXPECT_EQ(copy->describe().to_bytes(), stage->describe().to_bytes());
    EXPECT_EQ(copy->stage_spec().to_json(), stage->stage_spec().to_json());
    EXPECT_EQ(copy->counters()["documents"], 0u) << stage->name();
    EXPECT_EQ(stage->counters()["documents"], 5u);
  }
  EXPECT_EQ(stages[0]->describe().recipe.params["jaccard_threshold"], 0.75);
  EXPECT_TRUE(round_trip(*stages[1])->stage_spec().is_lsh_stage());
}

TEST_F(StageDescriptionTest, CandidateIndexTravelsAsThePayload) {
  auto batch = std::make_shared<DocumentBatch>();
  batch->set_column(std::string(kComponentColumn), std::vector<int64_t>{3, 3, 3, 9, 9});
  batch->set_column(std::string(kDedupIdColumn), std::vector<int64_t>{3, 5, 5, 9, 12});
  batch->set_column(std::string(kBucketColumn), std::vector<int64_t>{70, 70, 71, -4, -4});
  const auto index = CandidateIndex::build({batch});
  const auto copy = CandidateIndex::from_bytes(index->to_bytes());
  ASSERT_EQ(copy->size(), 4u);
  EXPECT_EQ(copy->memory_bytes(), index->memory_bytes());
  for (std::size_t i = 0; i < index->size(); ++i) {
    EXPECT_EQ(copy->doc(i), index->doc(i));
    EXPECT_EQ(copy->component(i), index->component(i));
    EXPECT_TRUE(std::ranges::equal(copy->buckets(i), index->buckets(i)));
  }
  EXPECT_EQ(CandidateIndex::from_bytes(CandidateIndex::build({})->to_bytes())->size(), 0u);
  EXPECT_THROW(CandidateIndex::from_bytes(index->to_bytes().substr(0, 20)), std::invalid_argument);

  const auto options = FuzzyOptions{}.resolved();
  const auto stats = std::make_shared<FuzzyStats>();
  const CandidateShingleStage shingles(options, index, stats);
  const DuplicateClusteringStage clustering(options, index, stats);
  EXPECT_EQ(shingles.describe().recipe.payload, index->to_bytes());
  EXPECT_EQ(round_trip(shingles)->describe().to_bytes(), shingles.describe().to_bytes());
  EXPECT_EQ(round_trip(clustering)->describe().to_bytes(), clustering.describe().to_bytes());
}

TEST_F(StageDescriptionTest, ReaderExpansionRoundTripsAndReadsTheSameRows) {
  const auto reader = make_dedup_reader(input(), true);
  const auto expanded = reader->expand();
  ASSERT_EQ(expanded.size(), 2u);
  for (const StagePtr& stage : expanded) {
    EXPECT_EQ(round_trip(*stage)->describe().to_bytes(), stage->describe().to_bytes());
  }
  // The file listing of the driver travels, not the folder: every process sees its groups.
  EXPECT_EQ(expanded[0]->describe().recipe.params["paths"].size(), 4u);
  EXPECT_EQ(expanded[1]->describe().recipe.params["add_dedup_id"], true);
  // Both read the same batches.
  backends::LocalExecutor local(json{{"num_cpus", 2}, {"log_level", "off"}});
  std::vector<StagePtr> rebuilt;
  for (const StagePtr& stage : expanded) rebuilt.push_back(round_trip(*stage));
  const auto original_rows = local.execute(expanded, {std::make_shared<EmptyTask>()});
  const auto rebuilt_rows = local.execute(rebuilt, {std::make_shared<EmptyTask>()});
  ASSERT_EQ(original_rows.size(), rebuilt_rows.size());
  std::map<std::string, std::string> original_bytes;
  std::map<std::string, std::string> rebuilt_bytes;
  std::size_t rows = 0;
  for (std::size_t i = 0; i < original_rows.size(); ++i) {
    rows += rebuilt_rows[i]->num_items();
    const auto& a = dynamic_cast<const DocumentBatch&>(*original_rows[i]);
    const auto& b = dynamic_cast<const DocumentBatch&>(*rebuilt_rows[i]);
    original_bytes[a.task_id()] = fmt::format("{}", fmt::join(a.int64s(kDedupIdColumn), ","));
    rebuilt_bytes[b.task_id()] = fmt::format("{}", fmt::join(b.int64s(kDedupIdColumn), ","));
  }
  EXPECT_EQ(rows, 150u);
  EXPECT_EQ(rebuilt_bytes, original_bytes);
}

TEST_F(StageDescriptionTest, BadRecordCountsTravelBackToTheReader) {
  testing::write_file(dir_.file("bad/a.jsonl"),
                      "{\"id\": \"1\", \"text\": \"x\"}\nnot json\n[1]\n");
  DedupInput bad = input();
  bad.paths = {dir_.file("bad")};
  const auto expanded = make_dedup_reader(bad, true)->expand();
  std::vector<StagePtr> rebuilt;
  for (const StagePtr& stage : expanded) rebuilt.push_back(round_trip(*stage));
  backends::LocalExecutor local(json{{"num_cpus", 2}, {"log_level", "off"}});
  local.execute(rebuilt, {std::make_shared<EmptyTask>()});
  EXPECT_EQ(expanded[1]->counters(), json::object());
  EXPECT_EQ(rebuilt[1]->counters(), (json{{"not_a_json_object", 2}}));
  expanded[1]->merge_counters(rebuilt[1]->counters());
  expanded[1]->merge_counters(rebuilt[1]->counters());
  EXPECT_EQ(expanded[1]->counters(), (json{{"not_a_json_object", 4}}));
  EXPECT_THROW(expanded[1]->merge_counters(json{{"bogus", 1}}), std::invalid_argument);
}

TEST_F(StageDescriptionTest, WithOverridesSurviveTheRoundTrip) {
  const auto options = FuzzyOptions{}.resolved();
  const MinHashStage minhash(options, std::make_shared<FuzzyStats>());
  StageOverrides overrides;
  overrides.name = "sketch";
  overrides.resources = Resources{2.5, 0.0, 0.5};
  overrides.batch_size = 7;
  overrides.num_workers = 3;
  StageSpec spec;
  spec.set(StageSpecKey::MaxCallsPerWorker, 11);
  spec.set(StageSpecKey::RayRemoteArgs, json{{"runtime_env", {{"env_vars", {{"A", "1"}}}}}});
  overrides.stage_spec = spec;
  const StagePtr changed = minhash.with_(overrides);
  const StagePtr copy = round_trip(*changed);
  EXPECT_EQ(copy->name(), "sketch");
  EXPECT_EQ(copy->resources(), (Resources{2.5, 0.0, 0.5}));
  EXPECT_EQ(copy->batch_size(), 7);
  EXPECT_EQ(copy->num_workers(), 3);
  EXPECT_EQ(copy->stage_spec().max_calls_per_worker(), 11);
  EXPECT_EQ(copy->stage_spec().ray_remote_args(), spec.ray_remote_args());
  EXPECT_EQ(copy->describe().to_bytes(), changed->describe().to_bytes());
  // Without overrides the class's own values come back.
  const StagePtr plain = round_trip(minhash);
  EXPECT_EQ(plain->name(), "minhash");
  EXPECT_EQ(plain->num_workers(), std::nullopt);
}

TEST_F(StageDescriptionTest, CountersMergeAsSumsAndTheLargestComponentAsAMaximum) {
  FuzzyStats total;
  total.documents = 10;
  total.largest_component = 4;
  FuzzyStats worker;
  worker.documents = 5;
  worker.largest_component = 3;
  worker.verified_pairs = 2;
  total.merge(worker.counters());
  worker.largest_component = 9;
  total.merge(worker.counters());
  EXPECT_EQ(total.documents, 20u);
  EXPECT_EQ(total.verified_pairs, 4u);
  EXPECT_EQ(total.largest_component, 9u);
  EXPECT_THROW(total.merge(json{{"bogus", 1}}), std::invalid_argument);
  EXPECT_THROW(total.merge(json{{"documents", -1}}), std::invalid_argument);
}

TEST_F(StageDescriptionTest, DamagedOrUnknownDescriptionsAreClearErrors) {
  const MinHashStage minhash(FuzzyOptions{}.resolved(), std::make_shared<FuzzyStats>());
  StageDescription description = minhash.describe();
  description.recipe.stage = "minhsah";
  try {
    registry_.rebuild(description);
    FAIL() << "rebuilt an unknown stage type";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("'minhash'"), std::string::npos) << error.what();
  }
  description = minhash.describe();
  description.recipe.params["shingle_size"] = 3;
  EXPECT_THROW(registry_.rebuild(description), std::invalid_argument);
  description = minhash.describe();
  description.recipe.payload = "x";
  EXPECT_THROW(registry_.rebuild(description), std::invalid_argument);
  EXPECT_THROW(registry_.rebuild(std::string_view("not a description")), std::invalid_argument);
  const std::string bytes = minhash.describe().to_bytes();
  EXPECT_THROW(registry_.rebuild(std::string_view(bytes).substr(0, bytes.size() - 3)),
               std::invalid_argument);
}

// Runs the exact workflow on `executor` into `output`.
ExactDeduplicationStats run_exact(Executor& executor, const std::string& input_dir,
                                  const std::string& output, bool removal) {
  ExactDeduplicationParams params;
  params.input_path = {input_dir};
  params.output_path = output;
  params.batch_rows = 16;
  params.num_partitions = 5;
  params.perform_removal = removal;
  ExactDeduplicationWorkflow workflow(params);
  return workflow.run(executor);
}

TEST_F(StageDescriptionTest, ExactWorkflowThroughDescriptionsEqualsTheLocalRun) {
  testing::write_corpus(dir_.file("exact_in"), 3, 600, 90, 11);
  for (const bool removal : {false, true}) {
    const std::string suffix = removal ? "_removal" : "";
    backends::LocalExecutor local(json{{"num_cpus", 3}, {"log_level", "off"}});
    testing::DescribingExecutor described(registry_, json{{"num_cpus", 3}, {"log_level", "off"}});
    const auto expected =
        run_exact(local, dir_.file("exact_in"), dir_.file("local" + suffix), removal);
    const auto got =
        run_exact(described, dir_.file("exact_in"), dir_.file("described" + suffix), removal);
    EXPECT_GT(expected.removed, 0u);
    EXPECT_EQ(got.documents, expected.documents);
    EXPECT_EQ(got.duplicate_groups, expected.duplicate_groups);
    EXPECT_EQ(got.removed, expected.removed);
    EXPECT_EQ(got.kept_written, expected.kept_written);
    for (const char* folder : {"removal_list", "deduplicated"}) {
      if (!removal && std::string_view(folder) == "deduplicated") continue;
      const auto want = testing::folder_contents(dir_.file("local" + suffix + "/" + folder));
      EXPECT_FALSE(want.empty()) << folder;
      EXPECT_EQ(testing::folder_contents(dir_.file("described" + suffix + "/" + folder)), want);
    }
    ASSERT_EQ(described.runs().size(), removal ? 2u : 1u);
    EXPECT_EQ(described.runs()[0],
              (std::vector<std::string>{"file_partitioning", "jsonl_reader", "exact_duplicates",
                                        "removal_list_writer"}));
    if (removal) {
      EXPECT_EQ(described.runs()[1],
                (std::vector<std::string>{"file_partitioning", "jsonl_reader", "remove_duplicates",
                                          "jsonl_writer"}));
    }
  }
}

// Runs the fuzzy workflow on `executor` into `output`; drops the output paths.
json run_fuzzy(Executor& executor, const DedupInput& input, const std::string& output,
               bool removal) {
  FuzzyDeduplicationConfig config;
  config.input = input;
  config.output_path = output;
  config.options.num_partitions = 7;
  config.options.bands_per_iteration = 3;
  config.perform_removal = removal;
  json stats = FuzzyDeduplicationWorkflow(config).run(executor);
  stats.erase("removal_list");
  stats.erase("deduplicated");
  return stats;
}

TEST_F(StageDescriptionTest, FuzzyWorkflowThroughDescriptionsEqualsTheLocalRun) {
  for (const bool removal : {false, true}) {
    const std::string suffix = removal ? "_removal" : "";
    backends::LocalExecutor local(json{{"num_cpus", 4}, {"log_level", "off"}});
    testing::DescribingExecutor described(registry_, json{{"num_cpus", 4}, {"log_level", "off"}});
    const json expected = run_fuzzy(local, input(), dir_.file("local" + suffix), removal);
    const json got = run_fuzzy(described, input(), dir_.file("described" + suffix), removal);
    EXPECT_GT(expected["documents_removed"].get<uint64_t>(), 20u) << expected.dump();
    EXPECT_GT(expected["largest_component"].get<uint64_t>(), 2u) << expected.dump();
    EXPECT_EQ(got, expected);
    for (const char* folder : {"removal_list", "deduplicated"}) {
      if (!removal && std::string_view(folder) == "deduplicated") continue;
      const auto want = testing::folder_contents(dir_.file("local" + suffix + "/" + folder));
      EXPECT_FALSE(want.empty()) << folder;
      EXPECT_EQ(testing::folder_contents(dir_.file("described" + suffix + "/" + folder)), want);
    }
    ASSERT_EQ(described.runs().size(), removal ? 3u : 2u);
    EXPECT_EQ(described.runs()[0],
              (std::vector<std::string>{"file_partitioning", "jsonl_reader", "minhash", "lsh",
                                        "connected_components"}));
    EXPECT_EQ(described.runs()[1],
              (std::vector<std::string>{"file_partitioning", "jsonl_reader", "candidate_shingles",
                                        "verify_and_cluster", "write_removal_list"}));
    // Both verification stages carried the candidate index.
    EXPECT_EQ(described.payload_bytes(),
              2 * expected["candidate_index_bytes"].get<std::size_t>() + 2 * 4 * sizeof(uint64_t));
  }
}

}  // namespace
}  // namespace curate::dedup
