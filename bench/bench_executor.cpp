// Executor overhead: a pipeline of 4 stages, each hashing (XXH3) the text of every
// document of its batch and storing the hashes as a column, over 100k batches of 100
// short documents (--words=50 per document by default, ~300 bytes); the LocalExecutor
// against the same stages called in a plain loop on one thread. Run it twice:
//   taskset -c 0 bench_executor --mode=both  # one core: the executor should add <= 5%
//   bench_executor                           # all cores: >= 1.8x faster than the loop
// On all cores a third variant, `threads`, measures what the machine itself allows: one
// plain thread per CPU, each looping over its own share, nothing shared but the
// allocator. Its speedup is the ceiling, and threads/executor wall is the executor's
// own efficiency, which the machine's noise affects far less than the raw speedup. (It
// can pass 1: the threads' shares are fixed, so a thread slowed by another tenant holds
// up the end, where the executor's workers take over each other's remaining tasks.)
// Batches are generated before each timed run (slices of pre-built batches, sharing
// their text), so only the pipeline is timed. Both variants drop each batch after the
// last stage (the executor with `discard_outputs`), as a pipeline ending in a writer
// does: retaining 100k outputs would time the allocator's heap growth, not the pipeline.
// Each variant runs --repeat times, alternating, and the best time counts.

#include "curate/backends/local/local_executor.hpp"
#include "curate/backends/resource_discovery.hpp"
#include "curate/core/document_batch.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using curate::DocumentBatch;
using curate::TaskPtr;

struct Options {
  int batches = 100'000;
  int documents = 100;
  int words = 50;  // per document, on average: a short document that passes the usual
                   // 50-word minimum of quality filters (Gopher), about 300 bytes
  int repeat = 3;
  // all: loop, executor and threads; both: loop and executor; or one of them alone
  std::string mode = "all";
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&](const char* name) -> const char* {
      const std::size_t length = std::strlen(name);
      return arg.compare(0, length, name) == 0 ? arg.c_str() + length : nullptr;
    };
    if (const char* batches = value("--batches=")) {
      options.batches = std::atoi(batches);
    } else if (const char* documents = value("--documents=")) {
      options.documents = std::atoi(documents);
    } else if (const char* words = value("--words=")) {
      options.words = std::max(1, std::atoi(words));
    } else if (const char* repeat = value("--repeat=")) {
      options.repeat = std::max(1, std::atoi(repeat));
    } else if (const char* mode = value("--mode=")) {
      options.mode = mode;
    } else if (arg.rfind("--benchmark_", 0) == 0) {
      // Google Benchmark flags that a runner may pass to every bench program: not ours.
    } else {
      throw std::invalid_argument(
          fmt::format("unknown argument '{}'; use --batches=N --documents=N --words=N --repeat=N "
                      "--mode=all|both|executor|loop|threads",
                      arg));
    }
  }
  if (options.mode != "all" && options.mode != "both" && options.mode != "executor" &&
      options.mode != "loop" && options.mode != "threads") {
    throw std::invalid_argument(
        fmt::format("--mode must be all, both, executor, loop or threads, not '{}'", options.mode));
  }
  return options;
}

// Hashes every document's text and stores the hashes as a column named after the stage.
class HashStage : public curate::CloneableStage<HashStage> {
 public:
  HashStage(std::string name, std::uint64_t seed) : CloneableStage(std::move(name)), seed_(seed) {}
  std::vector<TaskPtr> process(TaskPtr task) override {
    auto& batch = static_cast<DocumentBatch&>(*task);
    const auto text = batch.text();
    std::vector<int64_t> hashes(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto document = text[i];
      hashes[i] =
          static_cast<int64_t>(XXH3_64bits_withSeed(document.data(), document.size(), seed_));
    }
    batch.set_column(name(), std::move(hashes));
    return {std::move(task)};
  }

 private:
  std::uint64_t seed_;
};

// A small pool of distinct batches; the tasks of a run are slices of them (shared text).
std::vector<std::shared_ptr<DocumentBatch>> make_templates(int documents, int words_per_document) {
  static const char* kWords[] = {"the",   "quick", "brown", "fox",  "jumps",  "over",
                                 "lazy",  "dog",   "data",  "text", "corpus", "model",
                                 "token", "shard", "clean", "dedup"};
  std::mt19937 random(42);
  std::vector<std::shared_ptr<DocumentBatch>> templates;
  for (int t = 0; t < 64; ++t) {
    curate::StringColumn text;
    for (int d = 0; d < documents; ++d) {
      std::string document = fmt::format("doc {}.{}", t, d);
      const int spread = std::max(1, words_per_document / 5);
      const int words =
          std::max(1, words_per_document - spread / 2 + static_cast<int>(random() % spread));
      for (int w = 0; w < words; ++w) {
        document += ' ';
        document += kWords[random() % 16];
      }
      text.append(document);
    }
    auto batch = std::make_shared<DocumentBatch>();
    batch->set_column("text", std::move(text));
    templates.push_back(std::move(batch));
  }
  return templates;
}

std::vector<TaskPtr> make_tasks(const std::vector<std::shared_ptr<DocumentBatch>>& templates,
                                const Options& options) {
  std::vector<TaskPtr> tasks;
  tasks.reserve(static_cast<std::size_t>(options.batches));
  for (int i = 0; i < options.batches; ++i) {
    const auto& base = templates[static_cast<std::size_t>(i) % templates.size()];
    auto batch = base->slice(0, base->num_rows());
    batch->set_task_id(fmt::format("b{:07}", i));
    tasks.push_back(std::move(batch));
  }
  return tasks;
}

std::vector<curate::StagePtr> make_stages() {
  return {std::make_shared<HashStage>("hash_a", 1), std::make_shared<HashStage>("hash_b", 2),
          std::make_shared<HashStage>("hash_c", 3), std::make_shared<HashStage>("hash_d", 4)};
}

// Wall time decides; CPU time (all threads) is printed too, since on a shared machine
// it shows the executor's own cost when the wall clock includes other people's load.
struct Timing {
  double wall_s = 1e300;
  double cpu_s = 1e300;
};

double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

class Stopwatch {
 public:
  Stopwatch() : wall_(std::chrono::steady_clock::now()), cpu_(process_cpu_seconds()) {}
  Timing elapsed() const {
    return {std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_).count(),
            process_cpu_seconds() - cpu_};
  }

 private:
  std::chrono::steady_clock::time_point wall_;
  double cpu_;
};

void keep_best(Timing& best, const Timing& run) {
  best.wall_s = std::min(best.wall_s, run.wall_s);
  best.cpu_s = std::min(best.cpu_s, run.cpu_s);
}

// The baseline: every stage's process_batch called in turn, one task at a time.
Timing run_loop(const std::vector<curate::StagePtr>& prototypes, std::vector<TaskPtr> tasks,
                std::size_t& outputs) {
  std::vector<curate::StagePtr> stages;
  for (const auto& prototype : prototypes) {
    stages.push_back(prototype->clone());
    stages.back()->setup(curate::WorkerMetadata{"loop", std::nullopt, nullptr});
  }
  outputs = 0;
  const Stopwatch stopwatch;
  for (auto& task : tasks) {
    std::vector<TaskPtr> current{std::move(task)};
    for (const auto& stage : stages) current = stage->process_batch(std::move(current));
    outputs += current.size();
  }
  const Timing elapsed = stopwatch.elapsed();
  for (const auto& stage : stages) stage->teardown();
  return elapsed;
}

// The machine's own ceiling for the executor: as many plain threads as CPUs, each running
// the loop above over its own contiguous share of the tasks, sharing nothing. On a VM
// whose vCPUs are SMT siblings or share a memory path this is below the CPU count, and
// the executor cannot beat it.
Timing run_threads(const std::vector<curate::StagePtr>& prototypes, std::vector<TaskPtr> tasks,
                   int threads, std::size_t& outputs) {
  std::vector<std::vector<curate::StagePtr>> stages(static_cast<std::size_t>(threads));
  for (auto& own : stages) {
    for (const auto& prototype : prototypes) {
      own.push_back(prototype->clone());
      own.back()->setup(curate::WorkerMetadata{"threads", std::nullopt, nullptr});
    }
  }
  std::vector<std::size_t> counts(static_cast<std::size_t>(threads), 0);
  const std::size_t share =
      (tasks.size() + static_cast<std::size_t>(threads) - 1) / static_cast<std::size_t>(threads);
  const Stopwatch stopwatch;
  {
    std::vector<std::jthread> pool;
    for (std::size_t t = 0; t < static_cast<std::size_t>(threads); ++t) {
      pool.emplace_back([&, t] {
        const std::size_t end = std::min(tasks.size(), (t + 1) * share);
        for (std::size_t i = t * share; i < end; ++i) {
          std::vector<TaskPtr> current{std::move(tasks[i])};
          for (const auto& stage : stages[t]) current = stage->process_batch(std::move(current));
          counts[t] += current.size();
        }
      });
    }
  }
  const Timing elapsed = stopwatch.elapsed();
  for (auto& own : stages) {
    for (const auto& stage : own) stage->teardown();
  }
  outputs = 0;
  for (const auto count : counts) outputs += count;
  return elapsed;
}

Timing run_executor(const std::vector<curate::StagePtr>& stages, std::vector<TaskPtr> tasks,
                    std::size_t& outputs) {
  nlohmann::json config{{"log_level", "warn"}, {"discard_outputs", true}};
  curate::backends::LocalExecutor executor(config);
  const Stopwatch stopwatch;
  executor.execute(stages, std::move(tasks));
  const Timing elapsed = stopwatch.elapsed();
  outputs = executor.last_run_stats().output_tasks;
  return elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options options = parse(argc, argv);
    spdlog::set_level(spdlog::level::warn);
    const auto templates = make_templates(options.documents, options.words);
    const auto stages = make_stages();
    const bool all = options.mode == "all";
    const bool loop = all || options.mode == "both" || options.mode == "loop";
    const bool executor = all || options.mode == "both" || options.mode == "executor";
    const bool threads = all || options.mode == "threads";
    const double cpus = curate::backends::local_machine_resources().cpus;
    const int thread_count = std::max(1, static_cast<int>(cpus));
    Timing best_loop;
    Timing best_executor;
    Timing best_threads;
    for (int round = 0; round < options.repeat; ++round) {
      std::size_t outputs = 0;
      if (loop) {
        keep_best(best_loop, run_loop(stages, make_tasks(templates, options), outputs));
        if (outputs != static_cast<std::size_t>(options.batches))
          throw std::runtime_error("loop lost batches");
      }
      if (executor) {
        keep_best(best_executor, run_executor(stages, make_tasks(templates, options), outputs));
        if (outputs != static_cast<std::size_t>(options.batches))
          throw std::runtime_error("executor lost batches");
      }
      if (threads) {
        keep_best(best_threads,
                  run_threads(stages, make_tasks(templates, options), thread_count, outputs));
        if (outputs != static_cast<std::size_t>(options.batches))
          throw std::runtime_error("threads lost batches");
      }
    }
    const double documents = static_cast<double>(options.batches) * options.documents;
    std::size_t bytes = 0;
    for (const auto& batch : templates) bytes += batch->text().total_bytes();
    fmt::print(
        "bench_executor: {} batches x {} documents of ~{} bytes, 4 hash stages, {} CPUs, "
        "best of {}\n",
        options.batches, options.documents,
        bytes / (templates.size() * static_cast<std::size_t>(options.documents)), cpus,
        options.repeat);
    fmt::print("{:<10} {:>10} {:>10} {:>14}\n", "variant", "wall s", "cpu s", "documents/s");
    const auto row = [&](const char* name, const Timing& timing) {
      fmt::print("{:<10} {:>10.3f} {:>10.3f} {:>14.0f}\n", name, timing.wall_s, timing.cpu_s,
                 documents / timing.wall_s);
    };
    if (loop) row("loop", best_loop);
    if (executor) row("executor", best_executor);
    if (threads) row(fmt::format("threads x{}", thread_count).c_str(), best_threads);
    if (loop && executor) {
      fmt::print(
          "executor/loop wall ratio: {:.3f} (overhead {:+.1f}%; target on 1 core: <= 1.05)\n",
          best_executor.wall_s / best_loop.wall_s,
          100.0 * (best_executor.wall_s / best_loop.wall_s - 1.0));
      fmt::print("executor/loop cpu ratio:  {:.3f}\n", best_executor.cpu_s / best_loop.cpu_s);
      fmt::print("loop/executor speedup:    {:.3f}x (target on 2 cores: >= 1.8x)\n",
                 best_loop.wall_s / best_executor.wall_s);
    }
    if (loop && threads) {
      fmt::print(
          "loop/threads speedup:     {:.3f}x (the machine's ceiling: {} plain threads, "
          "nothing shared)\n",
          best_loop.wall_s / best_threads.wall_s, thread_count);
    }
    if (executor && threads) {
      fmt::print("executor efficiency:      {:.3f} (threads wall / executor wall)\n",
                 best_threads.wall_s / best_executor.wall_s);
    }
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "bench_executor: {}\n", error.what());
    return 1;
  }
}
