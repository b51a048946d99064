// Shuffle throughput: 16-byte rows routed and reduced through the LocalExecutor's shuffle
// segment, in ns per row (wall time of the whole run: route, barrier, gather, reduce), and
// the run's peak memory above its start (VmHWM, reset before every run through
// /proc/self/clear_refs, after malloc_trim).
//
//   taskset -c 0 bench_shuffle [benchmark flags]
//
// 200 input tasks of 10,000 rows each (2M rows, 32 MB of row bytes) over 64 partitions;
// CURATE_BENCH_ROWS changes the total. Input tasks are light (one int64 naming the first
// row), as a dedup stage's inputs are; route derives each row from its index with a
// multiply-xorshift mix, so the time is the shuffle's, not a generator's. The reduce
// reads every row once (a checksum) so that the rows' delivery is timed, and emits one
// small batch per partition with the row count, which the benchmark checks.

#include "curate/backends/local/local_executor.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/core/shuffle_stage.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using curate::DocumentBatch;
using curate::TaskPtr;

constexpr int kRowsPerTask = 10'000;
constexpr int kPartitions = 64;
constexpr std::size_t kRowWidth = 16;

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

class SixteenByteShuffle : public curate::CloneableStage<SixteenByteShuffle, curate::ShuffleStage> {
 public:
  SixteenByteShuffle() : CloneableStage("sixteen_byte_shuffle") {}
  int num_partitions() const override { return kPartitions; }

  void route(const TaskPtr& input, int, curate::ShuffleRouter& router) override {
    const auto first = static_cast<const DocumentBatch&>(*input).int64s("first")[0];
    char row[kRowWidth];
    for (int i = 0; i < kRowsPerTask; ++i) {
      const std::uint64_t index = static_cast<std::uint64_t>(first) + static_cast<std::uint64_t>(i);
      const std::uint64_t key = mix(index);
      std::memcpy(row, &key, 8);
      std::memcpy(row + 8, &index, 8);
      router.emit(static_cast<int>(key % kPartitions), std::string_view(row, kRowWidth));
    }
  }

  std::size_t row_width() const override { return kRowWidth; }

  std::vector<TaskPtr> reduce(int, int, std::vector<curate::RowBlock> blocks) override {
    std::uint64_t checksum = 0;
    std::int64_t count = 0;
    for (const auto& block : blocks) {
      for (std::string_view row : block) {
        std::uint64_t value;
        std::memcpy(&value, row.data() + 8, 8);
        checksum += value;
        ++count;
      }
    }
    auto batch = std::make_shared<DocumentBatch>();
    batch->set_column("rows", std::vector<int64_t>{count});
    batch->set_column("checksum", std::vector<int64_t>{static_cast<int64_t>(checksum)});
    return {batch};
  }
};

std::vector<TaskPtr> make_inputs(std::int64_t rows) {
  std::vector<TaskPtr> tasks;
  for (std::int64_t first = 0; first < rows; first += kRowsPerTask) {
    auto batch = std::make_shared<DocumentBatch>(fmt::format("rows_{:08}", first));
    batch->set_column("first", std::vector<int64_t>{first});
    tasks.push_back(std::move(batch));
  }
  return tasks;
}

std::int64_t total_rows() {
  const char* rows = std::getenv("CURATE_BENCH_ROWS");
  const std::int64_t value = rows ? std::atoll(rows) : 2'000'000;
  return std::max<std::int64_t>(kRowsPerTask, value / kRowsPerTask * kRowsPerTask);
}

// Peak resident memory of the process since the last reset, in bytes.
double peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return 1024.0 * std::atof(line.c_str() + 6);
  }
  return 0;
}

void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

struct RunResult {
  double seconds = 0;
  double peak_bytes = 0;
  std::int64_t rows_reduced = 0;
};

// One run in a fresh child process: a process keeps the heap it once used (glibc does not
// hand small chunks back), so only a new one shows a run's own peak above its start.
RunResult run_in_child(int workers, std::int64_t rows) {
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t child = fork();
  if (child < 0) throw std::runtime_error("fork failed");
  if (child == 0) {
    close(pipe_fds[0]);
    RunResult result;
    auto inputs = make_inputs(rows);
    const std::vector<curate::StagePtr> stages{std::make_shared<SixteenByteShuffle>()};
    curate::backends::LocalExecutor executor(
        nlohmann::json{{"num_cpus", workers}, {"log_level", "warn"}});
    reset_peak_rss();
    const double base = peak_rss_bytes();
    const auto start = std::chrono::steady_clock::now();
    const auto outputs = executor.execute(stages, std::move(inputs));
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.peak_bytes = peak_rss_bytes() - base;
    for (const auto& task : outputs) {
      result.rows_reduced += static_cast<const DocumentBatch&>(*task).int64s("rows")[0];
    }
    const bool written = write(pipe_fds[1], &result, sizeof(result)) == sizeof(result);
    _exit(written ? 0 : 1);
  }
  close(pipe_fds[1]);
  RunResult result;
  const bool read_all = read(pipe_fds[0], &result, sizeof(result)) == sizeof(result);
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!read_all || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("the benchmark's child process failed");
  }
  return result;
}

void BM_Shuffle16ByteRows(benchmark::State& state) {
  const auto workers = static_cast<int>(state.range(0));
  const std::int64_t rows = total_rows();
  double peak = 0;
  double ns_per_row = 0;
  for (auto _ : state) {
    const RunResult result = run_in_child(workers, rows);
    if (result.rows_reduced != rows) {
      state.SkipWithError(fmt::format("reduced {} rows of {}", result.rows_reduced, rows).c_str());
      return;
    }
    state.SetIterationTime(result.seconds);
    peak = std::max(peak, result.peak_bytes);
    ns_per_row += result.seconds * 1e9 / static_cast<double>(rows);
  }
  state.counters["ns_per_row"] = benchmark::Counter(ns_per_row, benchmark::Counter::kAvgIterations);
  state.counters["peak_rss_MB"] = peak / 1e6;
  state.counters["rows"] = static_cast<double>(rows);
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_Shuffle16ByteRows)
    ->Arg(1)
    ->Arg(2)
    ->UseManualTime()
    ->Iterations(3)
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
