// The quickstart of curate's C++ API, in the spirit of NeMo Curator's own: a source stage
// fans out into many tasks of generated sentences, a word-count stage adds a column, a
// filter stage drops short documents, and the local executor runs them on this machine's
// threads. Prints what came through and the per-stage statistics.
//
//   build/bin/quickstart [--tasks N] [--sentences-per-task N] [--min-words N]

#include "curate/backends/local/local_executor.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/core/pipeline.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

using curate::CloneableStage;
using curate::DocumentBatch;
using curate::StringColumn;
using curate::TaskPtr;

// Generates `tasks` batches of pseudo-random sentences from one EmptyTask (fan-out).
class SentenceSource : public CloneableStage<SentenceSource> {
 public:
  SentenceSource(int tasks, int sentences_per_task)
      : CloneableStage("sentence_source"), tasks_(tasks), sentences_(sentences_per_task) {}

  curate::StageIO outputs() const override { return {{"text"}}; }
  curate::StageSpec ray_stage_spec() const override {
    curate::StageSpec spec;
    spec.set(curate::StageSpecKey::IsFanoutStage, true);
    return spec;
  }

  std::vector<TaskPtr> process(TaskPtr) override {
    static constexpr std::array<const char*, 12> kWords{"the",   "curator", "reads",  "clean",
                                                        "text",  "and",     "drops",  "noisy",
                                                        "pages", "while",   "models", "learn"};
    std::vector<TaskPtr> out;
    uint64_t state = 42;
    for (int task = 0; task < tasks_; ++task) {
      StringColumn text;
      for (int sentence = 0; sentence < sentences_; ++sentence) {
        std::string line;
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        const int words = 1 + static_cast<int>((state >> 33) % 12);
        for (int word = 0; word < words; ++word) {
          state = state * 6364136223846793005ULL + 1442695040888963407ULL;
          if (word > 0) line += ' ';
          line += kWords[(state >> 33) % kWords.size()];
        }
        text.append(line + ".");
      }
      auto batch = std::make_shared<DocumentBatch>("", "quickstart");
      batch->set_column("text", std::move(text));
      out.push_back(std::move(batch));
    }
    return out;
  }

 private:
  int tasks_;
  int sentences_;
};

// Adds a `word_count` column: words are runs of non-space characters.
class WordCountStage : public CloneableStage<WordCountStage> {
 public:
  WordCountStage() : CloneableStage("word_count") {}
  curate::StageIO inputs() const override { return {{"text"}}; }
  curate::StageIO outputs() const override { return {{"word_count"}}; }

  std::vector<TaskPtr> process(TaskPtr task) override {
    auto batch = std::static_pointer_cast<DocumentBatch>(task);
    const auto text = batch->text();
    std::vector<int64_t> counts(text.size());
    for (std::size_t row = 0; row < text.size(); ++row) {
      bool in_word = false;
      for (char c : text[row]) {
        const bool space = c == ' ';
        counts[row] += (!space && !in_word) ? 1 : 0;
        in_word = !space;
      }
    }
    batch->set_column("word_count", std::move(counts));
    return {batch};
  }
};

// Keeps documents with at least `min_words` words and reports the drops by reason.
class MinWordsFilter : public CloneableStage<MinWordsFilter> {
 public:
  explicit MinWordsFilter(int min_words) : CloneableStage("min_words_filter"), min_(min_words) {}
  curate::StageIO inputs() const override { return {{"word_count"}}; }

  std::vector<TaskPtr> process(TaskPtr task) override {
    auto batch = std::static_pointer_cast<DocumentBatch>(task);
    const auto counts = batch->int64s("word_count");
    std::vector<uint8_t> keep(counts.size());
    std::uint64_t dropped = 0;
    for (std::size_t row = 0; row < counts.size(); ++row) {
      keep[row] = counts[row] >= min_ ? 1 : 0;
      dropped += 1 - keep[row];
    }
    auto kept = batch->filter_rows(keep);
    kept->metadata()["dropped_by_reason"] = {{"too_few_words", dropped}};
    return {kept};
  }

 private:
  int min_;
};

int flag(int argc, char** argv, const char* name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::atoi(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int tasks = flag(argc, argv, "--tasks", 64);
  const int sentences = flag(argc, argv, "--sentences-per-task", 1000);
  const int min_words = flag(argc, argv, "--min-words", 4);

  curate::Pipeline pipeline("quickstart", {}, "generated sentences -> word count -> filter");
  pipeline.add_stage(std::make_shared<SentenceSource>(tasks, sentences))
      .add_stage(std::make_shared<WordCountStage>())
      .add_stage(std::make_shared<MinWordsFilter>(min_words));
  fmt::print("{}\n", pipeline.describe());

  curate::backends::LocalExecutor executor;
  try {
    const auto outputs = pipeline.run(executor);
    std::size_t documents = 0;
    for (const auto& task : outputs) documents += task->num_items();
    fmt::print("{} tasks and {} documents came through; the first document of the first task:\n",
               outputs.size(), documents);
    if (!outputs.empty() && outputs.front()->num_items() > 0) {
      const auto& first = static_cast<const DocumentBatch&>(*outputs.front());
      fmt::print("  [{}] \"{}\" ({} words)\n\n", first.task_id(), first.text()[0],
                 first.int64s("word_count")[0]);
    }
    fmt::print("{}\n", executor.last_run_stats().to_table());
  } catch (const std::exception& error) {
    fmt::print(stderr, "quickstart: {}\n", error.what());
    return 1;
  }
  return 0;
}
