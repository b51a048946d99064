#include "curate/cli/resume.hpp"
#include "cli_test_util.hpp"
#include "curate/cli/config_error.hpp"
#include "curate/cli/run_log.hpp"
#include "curate/core/document_batch.hpp"
#include "test_stages.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace curate::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

constexpr int kFiles = 6;

// Six files of 6 documents, read 2 per batch (3 batches per file), filtered, passed
// through abort_after (which, armed, throws after 7 tasks: a run killed part-way), written.
class ResumeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::arm_abort(false);
    for (int i = 0; i < kFiles; ++i) {
      testing::write_documents(dir_ / ("in/part" + std::to_string(i) + ".jsonl"), 6,
                               "f" + std::to_string(i));
    }
    write_file(dir_ / "pipeline.yaml", R"(name: resumable
executor: {type: local, config: {num_cpus: 1}}
stages:
  - stage: jsonl_reader
    params: {paths: )" + (dir_ / "in").string() +
                                           R"(, batch_rows: 2}
  - stage: word_count
    params: {min_words: 5}
  - stage: abort_after
    params: {tasks: 7}
  - stage: jsonl_writer
    params: {output_dir: out}
)");
  }

  testing::CliResult run(const std::string& output, const std::string& logs,
                         std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-C",
                                     dir_.path().string(),
                                     "run",
                                     "pipeline.yaml",
                                     "-q",
                                     "--log-dir",
                                     logs,
                                     "--set",
                                     "stages.jsonl_writer.params.output_dir=" + output};
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::run_curate(args, testing::register_test_stages);
  }

  std::size_t markers(const std::string& logs) const {
    const fs::path dir = dir_ / logs / "completed";
    return fs::exists(dir)
               ? static_cast<std::size_t>(std::distance(fs::directory_iterator(dir), {}))
               : 0;
  }

  json stats(const std::string& logs) const {
    return json::parse(read_file(dir_ / logs / "stats.json"));
  }

  TempDir dir_;
};

TEST_F(ResumeTest, ARerunAfterAKillSkipsCompletedSourceTasksAndMatchesAnUninterruptedRun) {
  const auto reference = run("reference", "logs_reference");
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  EXPECT_EQ(markers("logs_reference"), static_cast<std::size_t>(kFiles));

  testing::arm_abort(true);
  const auto killed = run("resumed", "logs_resumed");
  testing::arm_abort(false);
  ASSERT_EQ(killed.exit_code, 1);
  const std::size_t completed = markers("logs_resumed");
  EXPECT_GE(completed, 1u) << "the killed run should have finished some files";
  EXPECT_LT(completed, static_cast<std::size_t>(kFiles));

  const auto resumed = run("resumed", "logs_resumed");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(stats("logs_resumed")["resume"]["source_tasks_skipped"], completed);
  EXPECT_EQ(stats("logs_resumed")["resume"]["source_tasks_completed"], kFiles - completed);
  EXPECT_EQ(markers("logs_resumed"), static_cast<std::size_t>(kFiles));

  const auto expected = testing::folder_contents(dir_ / "reference");
  ASSERT_EQ(expected.size(), static_cast<std::size_t>(kFiles * 3));
  EXPECT_EQ(testing::folder_contents(dir_ / "resumed"), expected);

  // Everything is complete now: a third run skips it all and changes nothing.
  const auto again = run("resumed", "logs_resumed");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(stats("logs_resumed")["resume"]["source_tasks_skipped"], kFiles);
  EXPECT_EQ(testing::folder_contents(dir_ / "resumed"), expected);
}

TEST_F(ResumeTest, IsOffWhenAShuffleFollowsTheReader) {
  // Resuming would skip the files a first run completed, and exact_duplicates would miss
  // their documents: every run must read everything.
  write_file(dir_ / "dedup.yaml", R"(name: dedup
executor: {type: local, config: {num_cpus: 2}}
stages:
  - stage: jsonl_reader
    params: {paths: )" + (dir_ / "dedup_in").string() +
                                      R"(, add_dedup_id: true}
  - stage: exact_duplicates
    params: {removal_list_dir: removal}
)");
  write_file(dir_ / "dedup_in/part0.jsonl", "{\"id\":\"x\",\"text\":\"same\"}\n");
  write_file(dir_ / "dedup_in/part1.jsonl", "{\"id\":\"y\",\"text\":\"same\"}\n");
  const std::vector<std::string> args = {"-C", dir_.path().string(), "run",       "dedup.yaml",
                                         "-q", "--log-dir",          "logs_dedup"};
  for (int run = 0; run < 2; ++run) {
    const auto result = testing::run_curate(args, testing::register_test_stages);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(stats("logs_dedup")["resume"]["enabled"], false);
    std::string removal;
    for (const auto& [name, content] : testing::folder_contents(dir_ / "removal")) {
      removal += content;
    }
    EXPECT_EQ(removal, "{\"id\":\"y\",\"kept_id\":\"x\"}\n") << "run " << run;
  }
}

TEST_F(ResumeTest, RefusesToResumeADifferentPipelineUntilOverwrite) {
  ASSERT_EQ(run("out", "logs").exit_code, 0);
  const auto changed = run("out", "logs", {"--set", "stages.word_count.params.min_words=1"});
  EXPECT_EQ(changed.exit_code, 2);
  EXPECT_THAT(changed.err, HasSubstr("completion markers of a different pipeline"));
  EXPECT_THAT(changed.err, HasSubstr("--overwrite"));

  write_file(dir_ / "out/stale.jsonl", "{}\n");
  const auto overwritten =
      run("out", "logs", {"--set", "stages.word_count.params.min_words=1", "--overwrite"});
  ASSERT_EQ(overwritten.exit_code, 0) << overwritten.err;
  EXPECT_FALSE(fs::exists(dir_ / "out/stale.jsonl"));
  EXPECT_EQ(stats("logs")["resume"]["source_tasks_skipped"], 0);
  EXPECT_EQ(stats("logs")["stages"][2]["documents_out"], kFiles * 6);
}

TEST_F(ResumeTest, OverwriteRefusesToDeleteTheInputsOrTheWorkingDirectory) {
  const auto result = run("in", "logs", {"--overwrite"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.err, HasSubstr("--overwrite would delete"));
  EXPECT_TRUE(fs::exists(dir_ / "in/part0.jsonl"));
  // "." is the working directory (-C makes it the test's folder, so a miss costs nothing).
  const auto here = run(".", "logs", {"--overwrite"});
  EXPECT_EQ(here.exit_code, 2);
  EXPECT_THAT(here.err, HasSubstr("which holds the working directory"));
  EXPECT_TRUE(fs::exists(dir_ / "pipeline.yaml"));
  EXPECT_THROW(clear_output_folder(dir_ / "in", {dir_ / "in/part0.jsonl"}), ConfigError);
  EXPECT_NO_THROW(clear_output_folder(dir_ / "absent", {}));
}

TEST(CompletionLedgerTest, WritesAMarkerOnceEveryOutputArrived) {
  TempDir dir;
  {
    CompletionLedger ledger(dir / "completed");
    ledger.record_arrival("group-a", 1, 3);
    ledger.record_arrival("group-a", 0, 3);
    ledger.record_arrival("group-a", 1, 3);  // a duplicate counts once
    EXPECT_FALSE(ledger.is_completed("group-a"));
    ledger.record_arrival("group-a", 2, 3);
    EXPECT_TRUE(ledger.is_completed("group-a"));
    ledger.mark_completed("odd/id with spaces", 0);
    EXPECT_EQ(ledger.completed_this_run(), 2u);
  }
  write_file(dir / "completed/interrupted.tmp", "");
  CompletionLedger reloaded(dir / "completed");
  EXPECT_EQ(reloaded.previously_completed(), 2u);
  EXPECT_TRUE(reloaded.is_completed("group-a"));
  EXPECT_TRUE(reloaded.is_completed("odd/id with spaces"));
  EXPECT_FALSE(fs::exists(dir / "completed/interrupted.tmp"));
  EXPECT_EQ(CompletionLedger::marker_name("abc_1.x-2"), "abc_1.x-2");
  EXPECT_THAT(CompletionLedger::marker_name("../etc"), ::testing::StartsWith(".._etc-"));
}

TEST(CompletionLedgerTest, StreamedOutputsCompleteWhenTheCountIsKnownAndAllArrived) {
  TempDir dir;
  CompletionLedger ledger(dir / "completed");
  // The count comes last (the stream ended after its outputs got through)...
  ledger.record_arrival("early", 0, std::nullopt);
  ledger.record_arrival("early", 1, std::nullopt);
  EXPECT_FALSE(ledger.is_completed("early"));
  ledger.record_count("early", 2);
  EXPECT_TRUE(ledger.is_completed("early"));
  // ...or first (the last output was still on its way).
  ledger.record_arrival("late", 0, std::nullopt);
  ledger.record_count("late", 2);
  EXPECT_FALSE(ledger.is_completed("late"));
  ledger.record_arrival("late", 1, std::nullopt);
  EXPECT_TRUE(ledger.is_completed("late"));
  // A stream with no output at all is complete at once.
  ledger.record_count("empty", 0);
  EXPECT_TRUE(ledger.is_completed("empty"));
  EXPECT_EQ(ledger.completed_this_run(), 3u);
}

// A source stage of 3 file groups; the wrapped stage fans each out into `outputs` batches.
class FanOutStage final : public CloneableStage<FanOutStage> {
 public:
  explicit FanOutStage(int outputs) : CloneableStage("fan_out"), outputs_(outputs) {}
  std::vector<TaskPtr> process(TaskPtr task) override {
    std::vector<TaskPtr> out;
    for (int i = 0; i < outputs_; ++i)
      out.push_back(std::make_shared<DocumentBatch>(task->task_id() + "_" + std::to_string(i)));
    return out;
  }

 private:
  int outputs_;
};

TEST(ResumeSourceStageTest, StampsOutputsSkipsCompletedAndMarksEmptySources) {
  TempDir dir;
  auto ledger = std::make_shared<CompletionLedger>(dir / "completed");
  ledger->mark_completed("done", 2);
  auto stage = make_resume_source_stage(std::make_shared<FanOutStage>(2), ledger);
  EXPECT_EQ(stage->name(), "fan_out");
  auto clone = stage->clone();
  auto outputs = clone->process_batch(
      {std::make_shared<FileGroupTask>("g1", "", std::vector<std::string>{"x"}),
       std::make_shared<FileGroupTask>("done", "", std::vector<std::string>{"y"})});
  ASSERT_EQ(outputs.size(), 2u);
  EXPECT_EQ(outputs[1]->task_id(), "g1_1");
  EXPECT_EQ(outputs[1]->metadata()[kSourceTaskKey],
            (json{{"id", "g1"}, {"index", 1}, {"count", 2}}));
  EXPECT_EQ(ledger->skipped(), 1u);

  auto empty = make_resume_source_stage(std::make_shared<FanOutStage>(0), ledger);
  EXPECT_TRUE(
      empty->process(std::make_shared<FileGroupTask>("g2", "", std::vector<std::string>{"z"}))
          .empty());
  EXPECT_TRUE(ledger->is_completed("g2"));

  auto completion = make_completion_stage(ledger);
  EXPECT_EQ(completion->name(), kCompletionStageName);
  for (auto& output : outputs) EXPECT_TRUE(completion->process(output).empty());
  EXPECT_TRUE(ledger->is_completed("g1"));
}

// FanOutStage's outputs, made one at a time through process_stream.
class StreamingFanOutStage final : public CloneableStage<StreamingFanOutStage> {
 public:
  explicit StreamingFanOutStage(int outputs) : CloneableStage("stream_out"), outputs_(outputs) {}
  std::vector<TaskPtr> process(TaskPtr task) override {
    return FanOutStage(outputs_).process(task);
  }
  bool streams_outputs() const override { return true; }
  void process_stream(TaskPtr task, const OutputSink& emit) override {
    for (int i = 0; i < outputs_; ++i) {
      if (!emit(std::make_shared<DocumentBatch>(task->task_id() + "_" + std::to_string(i)))) return;
    }
  }

 private:
  int outputs_;
};

TEST(ResumeSourceStageTest, StreamsOutputsAndCompletesOnceTheStreamEndedAndAllArrived) {
  TempDir dir;
  auto ledger = std::make_shared<CompletionLedger>(dir / "completed");
  ledger->mark_completed("done", 3);
  auto stage = make_resume_source_stage(std::make_shared<StreamingFanOutStage>(3), ledger);
  EXPECT_TRUE(stage->streams_outputs());
  auto completion = make_completion_stage(ledger);
  std::vector<TaskPtr> streamed;
  auto collect = [&](TaskPtr output) {
    streamed.push_back(std::move(output));
    return true;
  };
  stage->process_stream(std::make_shared<FileGroupTask>("g1", "", std::vector<std::string>{"x"}),
                        collect);
  ASSERT_EQ(streamed.size(), 3u);
  EXPECT_EQ(streamed[2]->metadata()[kSourceTaskKey], (json{{"id", "g1"}, {"index", 2}}));
  EXPECT_FALSE(ledger->is_completed("g1"));  // made, not yet through the pipeline
  for (auto& output : streamed) completion->process(output);
  EXPECT_TRUE(ledger->is_completed("g1"));

  // A completed source makes nothing; a stream stopped by the executor is not complete.
  streamed.clear();
  stage->process_stream(std::make_shared<FileGroupTask>("done", "", std::vector<std::string>{"y"}),
                        collect);
  EXPECT_TRUE(streamed.empty());
  EXPECT_EQ(ledger->skipped(), 1u);
  stage->process_stream(std::make_shared<FileGroupTask>("g2", "", std::vector<std::string>{"z"}),
                        [&](TaskPtr output) {
                          streamed.push_back(std::move(output));
                          return false;
                        });
  ASSERT_EQ(streamed.size(), 1u);
  completion->process(streamed[0]);
  EXPECT_FALSE(ledger->is_completed("g2"));
}

}  // namespace
}  // namespace curate::cli
