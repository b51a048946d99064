// JSONL I/O throughput: simdjson's parse-only rate (the limit), the reader (read, split,
// parse into DocumentBatches) and the pass-through pipeline (read -> write), all on one
// thread over a generated corpus, in bytes per CPU-second (per core: the rates use the
// thread's CPU time, so other load on the machine does not lower them).
//
//   bench_jsonl_io [benchmark flags]          Google Benchmark over a 1 GiB corpus
//                                             (CURATE_BENCH_MB changes the size)
//   bench_jsonl_io --generate DIR MB [FILES]  write an MB-sized corpus as FILES files
//   bench_jsonl_io --passthrough IN OUT       one read -> write pass over folder IN into
//                                             OUT, single thread; prints MB/s (for
//                                             `/usr/bin/time -v`, which shows max RSS)

#include "curate/io/file_partitioning_stage.hpp"
#include "curate/io/jsonl_encoder.hpp"
#include "curate/io/jsonl_reader_stage.hpp"
#include "curate/io/jsonl_writer_stage.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

namespace {

namespace fs = std::filesystem;
using namespace curate;
using namespace curate::io;

// Deterministic records shaped like web text: ~1-6 KB of words with some punctuation,
// escapes and non-ASCII, plus the usual metadata fields.
class CorpusGenerator {
 public:
  std::string next_record() {
    std::string text;
    const int words = 150 + static_cast<int>(random_() % 800);
    for (int i = 0; i < words; ++i) {
      if (i > 0) text += (random_() % 23 == 0) ? "\\n" : " ";
      text += kWords[random_() % std::size(kWords)];
      if (random_() % 17 == 0) text += ",";
      if (random_() % 29 == 0) text += ".";
    }
    const std::uint64_t position = position_++;
    return fmt::format(
        "{{\"id\":\"doc-{}\",\"text\":\"{}\",\"source\":\"bench\",\"url\":\"https://example.com/"
        "{}\",\"quality\":\"good\",\"word_count\":{}}}\n",
        position, text, position, words);
  }

 private:
  static constexpr const char* kWords[] = {
      "the",         "of",           "and",
      "to",          "in",           "data",
      "model",       "training",     "text",
      "corpus",      "value",        "\\\"quoted\\\"",
      "caf\xC3\xA9", "na\xC3\xAFve", "\xE4\xB8\xAD\xE6\x96\x87",
      "system",      "between",      "information",
      "performance", "2024",         "3.14159",
      "example"};
  std::mt19937_64 random_{42};
  std::uint64_t position_ = 0;
};

void generate_corpus(const fs::path& folder, std::uint64_t bytes, int files) {
  fs::create_directories(folder);
  CorpusGenerator generator;
  const std::uint64_t per_file = bytes / static_cast<std::uint64_t>(files) + 1;
  for (int f = 0; f < files; ++f) {
    std::ofstream out(folder / fmt::format("part-{:05}.jsonl", f), std::ios::binary);
    std::string block;
    std::uint64_t written = 0;
    while (written < per_file) {
      block += generator.next_record();
      if (block.size() > (1u << 20)) {
        out << block;
        written += block.size();
        block.clear();
      }
    }
    out << block;
  }
}

std::uint64_t folder_bytes(const fs::path& folder) {
  std::uint64_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

// One corpus per process, generated on first use into a temporary folder.
struct BenchCorpus {
  fs::path folder;
  std::string text;  // the same bytes in memory, with simdjson padding
  std::vector<std::shared_ptr<FileGroupTask>> groups;

  static BenchCorpus& get() {
    static BenchCorpus corpus = [] {
      BenchCorpus c;
      const char* mb = std::getenv("CURATE_BENCH_MB");
      const std::uint64_t bytes = (mb != nullptr ? std::strtoull(mb, nullptr, 10) : 1024) << 20;
      c.folder = fs::temp_directory_path() / fmt::format("curate-bench-io-{}", ::getpid());
      generate_corpus(c.folder / "in", bytes, 4);
      for (const auto& entry : fs::directory_iterator(c.folder / "in")) {
        std::ifstream in(entry.path(), std::ios::binary);
        c.text.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
      }
      c.text.reserve(c.text.size() + simdjson::SIMDJSON_PADDING);
      FilePartitioningOptions options;
      options.paths = {(c.folder / "in").string()};
      for (const auto& task : FilePartitioningStage(options).process(nullptr)) {
        c.groups.push_back(std::static_pointer_cast<FileGroupTask>(task));
      }
      return c;
    }();
    return corpus;
  }
  ~BenchCorpus() {
    std::error_code error;
    if (!folder.empty()) fs::remove_all(folder, error);
  }
};

// The limit: simdjson's DOM parser over each line, touching the text field, no copies.
void BM_SimdjsonParseOnly(benchmark::State& state) {
  const std::string& text = BenchCorpus::get().text;
  simdjson::dom::parser parser;
  for (auto _ : state) {
    std::size_t begin = 0, documents = 0;
    while (begin < text.size()) {
      const char* newline =
          static_cast<const char*>(std::memchr(text.data() + begin, '\n', text.size() - begin));
      const std::size_t end =
          newline ? static_cast<std::size_t>(newline - text.data()) : text.size();
      simdjson::dom::element doc;
      if (parser.parse(text.data() + begin, end - begin, false).get(doc) == simdjson::SUCCESS) {
        std::string_view value;
        if (doc["text"].get(value) == simdjson::SUCCESS) documents += value.size() > 0;
      }
      begin = end + 1;
    }
    benchmark::DoNotOptimize(documents);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_SimdjsonParseOnly)->Unit(benchmark::kMillisecond);

// simdjson On-Demand over the whole buffer (iterate_many), reading the text field.
void BM_SimdjsonOnDemandIterateMany(benchmark::State& state) {
  const std::string& text = BenchCorpus::get().text;
  simdjson::ondemand::parser parser;
  for (auto _ : state) {
    std::size_t documents = 0;
    simdjson::ondemand::document_stream stream;
    if (parser.iterate_many(text.data(), text.size(), 4u << 20).get(stream) != simdjson::SUCCESS) {
      state.SkipWithError("iterate_many failed");
      return;
    }
    for (auto doc : stream) {
      std::string_view value;
      if (doc["text"].get_string().get(value) == simdjson::SUCCESS) documents += value.size() > 0;
    }
    benchmark::DoNotOptimize(documents);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_SimdjsonOnDemandIterateMany)->Unit(benchmark::kMillisecond);

// The reader: read files, split lines, parse, build DocumentBatches (then drop them).
void BM_JsonlRead(benchmark::State& state) {
  BenchCorpus& corpus = BenchCorpus::get();
  JsonlReaderStage reader{JsonlReaderOptions{}};
  std::size_t rows = 0;
  for (auto _ : state) {
    for (const auto& group : corpus.groups) {
      reader.read_group(*group, [&](std::shared_ptr<DocumentBatch> batch) {
        rows += batch->num_rows();
        return true;
      });
    }
  }
  benchmark::DoNotOptimize(rows);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.text.size()));
}
BENCHMARK(BM_JsonlRead)->Unit(benchmark::kMillisecond);

// Read -> write with nothing in between: every record is copied from `_raw`.
// One untimed pass first, in every repetition: on a VM the first write of new files can
// cost the kernel 2 s per GB to get fresh page-cache pages from the hypervisor, which
// would make the first repetition of three an outlier and the median fragile. The timed
// passes write over the warm-up's files, as any later iteration does.
void BM_JsonlPassThrough(benchmark::State& state) {
  BenchCorpus& corpus = BenchCorpus::get();
  JsonlReaderStage reader{JsonlReaderOptions{}};
  JsonlWriterOptions options;
  options.output_dir = (corpus.folder / "out").string();
  JsonlWriterStage writer(options);
  const auto pass = [&] {
    for (const auto& group : corpus.groups) {
      reader.read_group(*group, [&](std::shared_ptr<DocumentBatch> batch) {
        writer.process(batch);
        return true;
      });
    }
  };
  pass();
  for (auto _ : state) pass();
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.text.size()));
}
BENCHMARK(BM_JsonlPassThrough)->Unit(benchmark::kMillisecond);

// Read -> encode, without the file: the engine's share of the pass-through, apart from
// the kernel's copy into the page cache.
void BM_JsonlPassThroughNoDisk(benchmark::State& state) {
  BenchCorpus& corpus = BenchCorpus::get();
  JsonlReaderStage reader{JsonlReaderOptions{}};
  JsonlEncoder encoder;
  std::size_t bytes = 0;
  for (auto _ : state) {
    for (const auto& group : corpus.groups) {
      reader.read_group(*group, [&](std::shared_ptr<DocumentBatch> batch) {
        encoder.encode(*batch, [&](std::string_view piece) {
          benchmark::DoNotOptimize(piece.data());
          bytes += piece.size();
        });
        return true;
      });
    }
  }
  if (bytes != static_cast<std::size_t>(state.iterations()) * corpus.text.size()) {
    state.SkipWithError("lost bytes");
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.text.size()));
}
BENCHMARK(BM_JsonlPassThroughNoDisk)->Unit(benchmark::kMillisecond);

// Read -> add a score column -> write: every record is patched.
void BM_JsonlPatchedPassThrough(benchmark::State& state) {
  BenchCorpus& corpus = BenchCorpus::get();
  JsonlReaderStage reader{JsonlReaderOptions{}};
  JsonlWriterOptions options;
  options.output_dir = (corpus.folder / "out-patched").string();
  JsonlWriterStage writer(options);
  for (auto _ : state) {
    for (const auto& group : corpus.groups) {
      reader.read_group(*group, [&](std::shared_ptr<DocumentBatch> batch) {
        batch->set_column("score", std::vector<double>(batch->num_rows(), 0.25));
        writer.process(batch);
        return true;
      });
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus.text.size()));
}
BENCHMARK(BM_JsonlPatchedPassThrough)->Unit(benchmark::kMillisecond);

int run_passthrough(const std::string& in, const std::string& out) {
  FilePartitioningOptions partitioning;
  partitioning.paths = {in};
  FilePartitioningStage files(partitioning);
  JsonlReaderStage reader{JsonlReaderOptions{}};
  JsonlWriterOptions options;
  options.output_dir = out;
  JsonlWriterStage writer(options);
  const std::uint64_t bytes = folder_bytes(in);
  std::uint64_t rows = 0;
  const auto start = std::chrono::steady_clock::now();
  for (const auto& task : files.process(nullptr)) {
    reader.read_group(static_cast<const FileGroupTask&>(*task),
                      [&](std::shared_ptr<DocumentBatch> batch) {
                        rows += batch->num_rows();
                        writer.process(batch);
                        return true;
                      });
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  fmt::print(
      "passthrough: {} files, {} records, {:.1f} MB in {:.2f} s: {:.0f} MB/s on one thread\n",
      files.files().size(), rows, static_cast<double>(bytes) / 1e6, seconds,
      static_cast<double>(bytes) / 1e6 / seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::string(argv[1]) == "--passthrough")
    return run_passthrough(argv[2], argv[3]);
  if (argc >= 4 && std::string(argv[1]) == "--generate") {
    const int files = argc >= 5 ? std::atoi(argv[4]) : 16;
    generate_corpus(argv[2], std::strtoull(argv[3], nullptr, 10) * 1'000'000,
                    files > 0 ? files : 16);
    fmt::print("generated {} bytes in {}\n", folder_bytes(argv[2]), argv[2]);
    return 0;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
