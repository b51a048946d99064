// LocalExecutor: shuffle (route, barrier, reduce; band-window rounds) and gang stages.

#include "backends/local/executor_test_util.hpp"
#include "support/test_stages.hpp"

#include "curate/core/gang.hpp"
#include "curate/core/shuffle_stage.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

namespace curate::testing {
namespace {

using backends::LocalExecutor;
using ::testing::HasSubstr;

// Counts words: route sends each word to partition hash(word) % partitions (round r
// takes the words whose length % rounds == r, as an LSH stage takes one band window);
// reduce emits one row per distinct word in first-seen order, with its count.
class WordCountShuffle : public CloneableStage<WordCountShuffle, ShuffleStage> {
 public:
  WordCountShuffle(int partitions, int rounds)
      : CloneableStage("word_count"), partitions_(partitions), rounds_(rounds) {}
  int num_partitions() const override { return partitions_; }
  int num_rounds() const override { return rounds_; }

  void route(const TaskPtr& input, int round, ShuffleRouter& router) override {
    const auto& batch = dynamic_cast<const DocumentBatch&>(*input);
    const auto text = batch.text();
    for (std::size_t row = 0; row < text.size(); ++row) {
      std::istringstream words{std::string(text[row])};
      for (std::string word; words >> word;) {
        if (static_cast<int>(word.size()) % rounds_ != round) continue;
        router.emit(static_cast<int>(XXH3_64bits(word.data(), word.size()) % partitions_), word);
      }
    }
  }

  std::vector<TaskPtr> reduce(int, int, std::vector<RowBlock> blocks) override {
    std::vector<std::string> order;
    std::map<std::string, int64_t, std::less<>> counts;
    for (const auto& block : blocks) {
      EXPECT_FALSE(block.empty());
      EXPECT_EQ(block.fixed_width(), 0u);
      for (std::string_view row : block) {
        auto [it, inserted] = counts.try_emplace(std::string(row), 0);
        if (it->second++ == 0) order.push_back(it->first);
      }
    }
    StringColumn words;
    std::vector<int64_t> totals;
    for (const auto& word : order) {
      words.append(word);
      totals.push_back(counts[word]);
    }
    auto batch = std::make_shared<DocumentBatch>();
    batch->set_column("text", std::move(words));
    batch->set_column("count", std::move(totals));
    return {batch};
  }

 private:
  int partitions_;
  int rounds_;
};

// Documents whose words repeat across batches, so every partition gets rows from many
// inputs and input order matters for first-seen order.
std::vector<TaskPtr> word_batches(int count) {
  static const std::vector<std::string> kWords{
      "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "mu"};
  std::vector<TaskPtr> tasks;
  for (int i = 0; i < count; ++i) {
    StringColumn text;
    for (int row = 0; row < 3; ++row) {
      std::string doc;
      for (int w = 0; w < 5; ++w) doc += kWords[(i * 7 + row * 3 + w * w) % kWords.size()] + " ";
      text.append(doc);
    }
    auto batch = std::make_shared<DocumentBatch>(fmt::format("words_{:04}", i));
    batch->set_column("text", std::move(text));
    tasks.push_back(batch);
  }
  return tasks;
}

// The reduced rows, flattened in output order: "id:word=count".
std::vector<std::string> flatten(const std::vector<TaskPtr>& outputs) {
  std::vector<std::string> rows;
  for (const auto& task : outputs) {
    const auto& batch = dynamic_cast<const DocumentBatch&>(*task);
    const auto words = batch.text();
    const auto counts = batch.int64s("count");
    for (std::size_t i = 0; i < words.size(); ++i) {
      rows.push_back(fmt::format("{}:{}={}", task->task_id(), words[i], counts[i]));
    }
  }
  return rows;
}

class ShuffleTest : public ::testing::TestWithParam<int> {};

TEST_P(ShuffleTest, GivesTheSameResultForEveryWorkerCount) {
  for (int rounds : {1, 3}) {
    SCOPED_TRACE(fmt::format("rounds={}", rounds));
    const std::vector<StagePtr> reference_stages{std::make_shared<JitterStage>("jitter", 100),
                                                 std::make_shared<WordCountShuffle>(5, rounds),
                                                 std::make_shared<TagStage>("after")};
    LocalExecutor one(config_for_workers(1));
    const auto expected = flatten(run_or_die(one, reference_stages, word_batches(40)));
    LocalExecutor executor(config_for_workers(GetParam()));
    const auto outputs = run_or_die(executor, reference_stages, word_batches(40));
    EXPECT_EQ(flatten(outputs), expected);

    // Totals match a direct count, and ids name the round and partition.
    std::map<std::string, int64_t> direct;
    for (const auto& task : word_batches(40)) {
      const auto text = dynamic_cast<const DocumentBatch&>(*task).text();
      for (std::size_t row = 0; row < text.size(); ++row) {
        std::istringstream words{std::string(text[row])};
        for (std::string word; words >> word;) ++direct[word];
      }
    }
    std::map<std::string, int64_t> reduced;
    for (const auto& task : outputs) {
      EXPECT_THAT(task->task_id(), ::testing::StartsWith("word_count_r"));
      const auto& batch = dynamic_cast<const DocumentBatch&>(*task);
      for (std::size_t i = 0; i < batch.num_rows(); ++i) {
        reduced[std::string(batch.text()[i])] += batch.int64s("count")[i];
      }
    }
    EXPECT_EQ(reduced, direct);
    const auto stats = executor.last_run_stats();
    EXPECT_EQ(stats.stages[1].tasks_in, 40u);
    EXPECT_EQ(stats.stages[1].items_in, 120u);
    EXPECT_EQ(stats.stages[1].tasks_out, outputs.size());
  }
}

INSTANTIATE_TEST_SUITE_P(Workers, ShuffleTest, ::testing::ValuesIn(kWorkerCounts),
                         [](const auto& param_info) {
                           return fmt::format("{}_workers", param_info.param);
                         });

// Routes 8-byte rows (the document's ordinal: batch * 100 + row) to ordinal % 3; reduce
// checks that blocks have the fixed width, come one per route call in input order, and
// lists the ordinals it got with the number of blocks.
class OrdinalShuffle : public CloneableStage<OrdinalShuffle, ShuffleStage> {
 public:
  OrdinalShuffle() : CloneableStage("ordinals") {}
  int num_partitions() const override { return 3; }
  std::size_t row_width() const override { return 8; }
  void route(const TaskPtr& input, int, ShuffleRouter& router) override {
    const auto& batch = dynamic_cast<const DocumentBatch&>(*input);
    const int64_t first = std::stoll(input->task_id().substr(6)) * 100;
    for (std::size_t row = 0; row < batch.num_rows(); ++row) {
      const int64_t ordinal = first + static_cast<int64_t>(row);
      router.emit(static_cast<int>(ordinal % 3),
                  std::string_view(reinterpret_cast<const char*>(&ordinal), 8));
    }
  }
  std::vector<TaskPtr> reduce(int, int partition, std::vector<RowBlock> blocks) override {
    std::vector<int64_t> ordinals;
    std::set<int64_t> batches;
    for (const auto& block : blocks) {
      EXPECT_EQ(block.fixed_width(), 8u);
      EXPECT_FALSE(block.empty());
      for (std::string_view row : block) {
        int64_t ordinal;
        std::memcpy(&ordinal, row.data(), 8);
        EXPECT_EQ(ordinal % 3, partition);
        if (!ordinals.empty()) {
          EXPECT_GT(ordinal, ordinals.back()) << "rows out of input order";
        }
        ordinals.push_back(ordinal);
        batches.insert(ordinal / 100);
      }
    }
    auto rows = std::make_shared<DocumentBatch>();
    rows->set_column("ordinals", std::move(ordinals));
    auto counts = std::make_shared<DocumentBatch>();
    counts->set_column("blocks", std::vector<int64_t>{static_cast<int64_t>(blocks.size())});
    counts->set_column("batches", std::vector<int64_t>{static_cast<int64_t>(batches.size())});
    return {rows, counts};
  }
};

TEST_P(ShuffleTest, FixedWidthRowsArriveAsOneBlockPerRouteCallInInputOrder) {
  LocalExecutor executor(config_for_workers(GetParam()));
  const auto outputs = run_or_die(
      executor, {std::make_shared<JitterStage>("jitter", 100), std::make_shared<OrdinalShuffle>()},
      make_batches(30, 4));
  ASSERT_EQ(outputs.size(), 6u);
  std::vector<std::vector<int64_t>> expected(3);
  for (int64_t b = 0; b < 30; ++b) {
    for (int64_t r = 0; r < 4; ++r) expected[(b * 100 + r) % 3].push_back(b * 100 + r);
  }
  for (std::size_t partition = 0; partition < 3; ++partition) {
    const auto& rows = dynamic_cast<const DocumentBatch&>(*outputs[2 * partition]);
    const auto ordinals = rows.int64s("ordinals");
    EXPECT_EQ(std::vector<int64_t>(ordinals.begin(), ordinals.end()), expected[partition]);
    // 4 consecutive ordinals cover every residue: each batch routes one block to each.
    const auto& counts = dynamic_cast<const DocumentBatch&>(*outputs[2 * partition + 1]);
    EXPECT_EQ(counts.int64s("blocks")[0], 30);
    EXPECT_EQ(counts.int64s("batches")[0], 30);
  }
}

TEST(ShuffleTest, RowOfTheWrongWidthNamesStageAndTask) {
  class WrongWidth : public CloneableStage<WrongWidth, ShuffleStage> {
   public:
    WrongWidth() : CloneableStage("wrong_width") {}
    int num_partitions() const override { return 2; }
    std::size_t row_width() const override { return 4; }
    void route(const TaskPtr& input, int, ShuffleRouter& router) override {
      router.emit(0, input->task_id() == "batch_000002" ? "12345" : "1234");
    }
    std::vector<TaskPtr> reduce(int, int, std::vector<RowBlock>) override { return {}; }
  };
  LocalExecutor executor(config_for_workers(2));
  try {
    run_or_die(executor, {std::make_shared<WrongWidth>()}, make_batches(5, 1));
    FAIL() << "expected the run to fail";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("stage 'wrong_width' failed on task 'batch_000002'"));
    EXPECT_THAT(error.what(), HasSubstr("row of 5 bytes"));
  }
}

TEST(ShuffleTest, RouteErrorNamesStageAndTask) {
  class BadRoute : public CloneableStage<BadRoute, ShuffleStage> {
   public:
    BadRoute() : CloneableStage("bad_route") {}
    int num_partitions() const override { return 2; }
    void route(const TaskPtr& input, int, ShuffleRouter& router) override {
      router.emit(input->task_id() == "batch_000003" ? 7 : 0, "x");
    }
    std::vector<TaskPtr> reduce(int, int, std::vector<RowBlock>) override { return {}; }
  };
  LocalExecutor executor(config_for_workers(4));
  try {
    run_or_die(executor, {std::make_shared<BadRoute>()}, make_batches(10, 1));
    FAIL() << "expected the run to fail";
  } catch (const std::runtime_error& error) {
    EXPECT_THAT(error.what(), HasSubstr("stage 'bad_route' failed on task 'batch_000003'"));
    EXPECT_THAT(error.what(), HasSubstr("partition 7 outside [0, 2)"));
  }
}

TEST(ShuffleTest, StageMarkedShuffleMustImplementTheInterface) {
  StageSpec spec;
  spec.set(StageSpecKey::IsShuffleStage, true);
  auto stage = with_spec(std::make_shared<TagStage>("fake_shuffle"), spec);
  LocalExecutor executor(config_for_workers(1));
  EXPECT_THROW(executor.execute({stage}, make_seeds(1)), std::invalid_argument);
}

// Every member counts the documents it processed; finish all-reduces the counts, checks
// an all-to-all exchange, and member 0 emits the totals.
struct GangLog {
  std::mutex mutex;
  std::set<int> indices;
  std::set<int> sizes;
  std::vector<int64_t> totals_seen;
  bool exchange_ok = true;
};

class SumGang : public CloneableStage<SumGang, GangStage> {
 public:
  SumGang(std::shared_ptr<GangLog> log, std::string fail_on = "")
      : CloneableStage("sum_gang"), log_(std::move(log)), fail_on_(std::move(fail_on)) {}
  void setup(const WorkerMetadata& worker) override {
    gang_ = worker.gang;
    std::lock_guard lock(log_->mutex);
    log_->indices.insert(gang_->index());
    log_->sizes.insert(gang_->size());
  }
  std::vector<TaskPtr> process(TaskPtr task) override {
    if (task->task_id() == fail_on_) throw std::runtime_error("member failed");
    counts_[0] += static_cast<int64_t>(task->num_items());
    counts_[1] += 1;
    return {};
  }
  std::vector<TaskPtr> finish() override {
    gang_->all_reduce_sum(counts_);
    std::vector<std::string> outgoing;
    for (int to = 0; to < gang_->size(); ++to)
      outgoing.push_back(fmt::format("{}->{}", gang_->index(), to));
    const auto incoming = gang_->all_to_all(std::move(outgoing));
    gang_->barrier();
    std::lock_guard lock(log_->mutex);
    for (int from = 0; from < gang_->size(); ++from) {
      if (incoming[from] != fmt::format("{}->{}", from, gang_->index())) log_->exchange_ok = false;
    }
    log_->totals_seen.push_back(counts_[0]);
    if (gang_->index() != 0) return {};
    auto batch = std::make_shared<DocumentBatch>();
    batch->set_column("documents", std::vector<int64_t>{counts_[0]});
    batch->set_column("tasks", std::vector<int64_t>{counts_[1]});
    return {batch};
  }

 private:
  std::shared_ptr<GangLog> log_;
  std::string fail_on_;
  std::shared_ptr<Gang> gang_;
  int64_t counts_[2] = {0, 0};
};

class GangTest : public ::testing::TestWithParam<int> {};

TEST_P(GangTest, MembersAllReduceTheirCounts) {
  const int workers = GetParam();
  auto log = std::make_shared<GangLog>();
  LocalExecutor executor(config_for_workers(workers));
  const auto outputs = run_or_die(
      executor, {std::make_shared<JitterStage>("jitter", 100), std::make_shared<SumGang>(log)},
      make_batches(50, 3));
  ASSERT_EQ(outputs.size(), 1u);
  const auto& totals = dynamic_cast<const DocumentBatch&>(*outputs.front());
  EXPECT_EQ(totals.int64s("documents")[0], 150);
  EXPECT_EQ(totals.int64s("tasks")[0], 50);
  EXPECT_EQ(outputs.front()->task_id(), "sum_gang_m0");
  EXPECT_EQ(log->sizes, std::set<int>{workers});
  EXPECT_EQ(static_cast<int>(log->indices.size()), workers);
  EXPECT_EQ(log->totals_seen, std::vector<int64_t>(static_cast<std::size_t>(workers), 150));
  EXPECT_TRUE(log->exchange_ok);
}

TEST_P(GangTest, AFailingMemberReleasesTheOthers) {
  auto log = std::make_shared<GangLog>();
  LocalExecutor executor(config_for_workers(GetParam()));
  try {
    run_or_die(executor, {std::make_shared<SumGang>(log, "batch_000017")}, make_batches(30, 1));
    FAIL() << "expected the run to fail";
  } catch (const std::runtime_error& error) {
    // The member's own error is reported, not the gang abort it caused.
    EXPECT_THAT(error.what(), HasSubstr("stage 'sum_gang' failed on task 'batch_000017'"));
  }
}

TEST_P(GangTest, EmptyInputStillFinishesAfterAnEmptyShuffle) {
  // Nothing reaches the shuffle or the gang: the shuffle reduces nothing, the gang's
  // members still meet in finish, and the run ends.
  class DropAll : public CloneableStage<DropAll> {
   public:
    DropAll() : CloneableStage("drop_all") {}
    std::vector<TaskPtr> process(TaskPtr) override { return {}; }
  };
  auto log = std::make_shared<GangLog>();
  LocalExecutor executor(config_for_workers(GetParam()));
  const auto outputs =
      run_or_die(executor,
                 {std::make_shared<DropAll>(), std::make_shared<WordCountShuffle>(3, 2),
                  std::make_shared<SumGang>(log)},
                 word_batches(10));
  ASSERT_EQ(outputs.size(), 1u);
  EXPECT_EQ(dynamic_cast<const DocumentBatch&>(*outputs.front()).int64s("tasks")[0], 0);
}

INSTANTIATE_TEST_SUITE_P(Workers, GangTest, ::testing::ValuesIn(kWorkerCounts),
                         [](const auto& param_info) {
                           return fmt::format("{}_workers", param_info.param);
                         });

}  // namespace
}  // namespace curate::testing
