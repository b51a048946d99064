// Exact deduplication end to end through the LocalExecutor: read a JSONL corpus (with
// dedup ids), hash every text, shuffle on the hash, reduce and write the removal list,
// in MB (10^6 bytes of corpus files) per second of wall time (MB_per_s) and per CPU-second
// of the process (MB_per_cpu_s). Run it on one core:
//
//   gen_corpus --output /tmp/exact_1g --size 1G --files 16 --exact-dup-share 0.2
//   CURATE_BENCH_CORPUS=/tmp/exact_1g taskset -c 0 bench_exact_dedup [benchmark flags]
//
// BM_ExactDedup/0 hashes with XXH3-128 (the default), /1 with MD5 (NeMo Curator's hash).
// Every run writes its removal list under CURATE_BENCH_OUT (default /tmp), replacing the
// previous one; an untimed first pass brings the corpus into the page cache.

#include "curate/backends/local/local_executor.hpp"
#include "curate/dedup/exact/exact_deduplication_workflow.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>

namespace {

namespace fs = std::filesystem;
using curate::dedup::ExactDeduplicationParams;
using curate::dedup::ExactDeduplicationWorkflow;
using curate::dedup::TextHash;

std::uint64_t folder_bytes(const std::string& folder) {
  std::uint64_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) bytes += entry.file_size();
  }
  return bytes;
}

double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

void BM_ExactDedup(benchmark::State& state) {
  const char* corpus = std::getenv("CURATE_BENCH_CORPUS");
  if (corpus == nullptr || !fs::is_directory(corpus)) {
    state.SkipWithError("set CURATE_BENCH_CORPUS to a folder of JSONL files (tools/gen_corpus)");
    return;
  }
  const char* out = std::getenv("CURATE_BENCH_OUT");
  ExactDeduplicationParams params;
  params.input_path = {corpus};
  params.output_path = (fs::path(out ? out : "/tmp") / "curate_bench_exact_dedup").string();
  params.hash = state.range(0) == 0 ? TextHash::Xxh3_128 : TextHash::Md5;
  params.overwrite = true;
  const std::uint64_t bytes = folder_bytes(corpus);
  const nlohmann::json config{{"num_cpus", 1}, {"log_level", "warn"}};
  curate::dedup::ExactDeduplicationStats stats;
  {
    curate::backends::LocalExecutor warm_up(config);
    stats = ExactDeduplicationWorkflow(params).run(warm_up);
  }
  double cpu_seconds = 0;
  for (auto _ : state) {
    const double cpu_start = process_cpu_seconds();
    curate::backends::LocalExecutor executor(config);
    stats = ExactDeduplicationWorkflow(params).run(executor);
    cpu_seconds += process_cpu_seconds() - cpu_start;
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
  state.counters["MB_per_s"] = benchmark::Counter(static_cast<double>(bytes) / 1e6,
                                                  benchmark::Counter::kIsIterationInvariantRate);
  // Per CPU-second of the whole process (all threads, user and system): on a shared
  // machine the wall time also holds other tenants' time slices, this does not.
  state.counters["MB_per_cpu_s"] =
      static_cast<double>(bytes) / 1e6 * static_cast<double>(state.iterations()) / cpu_seconds;
  state.counters["documents"] = static_cast<double>(stats.documents);
  state.counters["removed"] = static_cast<double>(stats.removed);
  state.SetLabel(curate::dedup::to_string(params.hash));
  fs::remove_all(params.output_path);
}
BENCHMARK(BM_ExactDedup)->Arg(0)->Arg(1)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
