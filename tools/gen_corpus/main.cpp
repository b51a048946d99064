// gen_corpus: write a deterministic JSONL corpus with planted low-quality documents
// and duplicates, for curate's quickstart, tests and benchmarks. See --help.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "corpus_plan.hpp"
#include "corpus_writer.hpp"
#include "jaccard.hpp"
#include "near_copy.hpp"
#include "options.hpp"
#include "random.hpp"
#include "text_generator.hpp"
#include "word_source.hpp"

namespace curate::tools {
namespace {

// Random streams, kept apart by derive_seed(): a document's text depends only on
// (seed, position), so a copy regenerates its source instead of keeping it in memory.
constexpr std::uint64_t kDocumentStream = 2;
constexpr std::uint64_t kEditStream = 3;

// Deck size bounds: large enough for the shares to be met closely, small enough
// that a deck of a small corpus is dealt whole.
constexpr std::uint64_t kMaxDeck = 1 << 20;

struct Counts {
  std::uint64_t documents = 0;
  std::uint64_t good = 0;
  std::uint64_t low_quality = 0;
  std::uint64_t exact_copies = 0;
  std::uint64_t near_copies = 0;
};

// Spread 0.3x .. 1.7x around the mean, triangular; integer so it is exact everywhere.
std::size_t draw_text_bytes(Random& random, std::uint64_t mean) {
  return mean * (300 + random.below(701) + random.below(701)) / 1000;
}

void original_text(const TextGenerator& generator, const Options& options, std::uint64_t position,
                   std::string& out) {
  Random random(derive_seed(options.seed, kDocumentStream, position));
  generator.good_text(random, draw_text_bytes(random, options.doc_bytes), out);
}

std::uint64_t deck_size(const Options& options) {
  const std::uint64_t expected =
      options.documents ? *options.documents : *options.size_bytes / (options.doc_bytes + 150) + 1;
  return std::min(expected, kMaxDeck);
}

void write_truth(OutputFile& truth, std::uint64_t copy, const PlannedDocument& planned,
                 std::uint64_t edits, double similarity) {
  truth.write(fmt::format(
      R"({{"copy_id":"doc-{}","source_id":"doc-{}","kind":"{}","edit_rate":{},"edits":{},)"
      R"("jaccard":{}}})"
      "\n",
      copy, planned.source, planned.kind == DocumentKind::kExactCopy ? "exact" : "near",
      planned.edit_rate, edits, similarity));
}

void generate(const Options& options) {
  const auto start = std::chrono::steady_clock::now();
  const WordSource words = WordSource::load(options.words);
  const TextGenerator generator(words);
  CorpusPlan plan(options.seed, options.shares, options.edit_rates, deck_size(options));
  CorpusWriter writer(options.output, options.output_is_directory ? options.files : 0,
                      options.compression);
  if (options.ground_truth.has_parent_path()) {
    std::filesystem::create_directories(options.ground_truth.parent_path());
  }
  OutputFile truth(options.ground_truth, Compression::None);

  Counts counts;
  std::string text;
  std::string source;
  const std::uint64_t files = options.output_is_directory ? options.files : 1;
  for (std::uint64_t position = 0;; ++position) {
    if (options.documents) {
      if (position == *options.documents) break;
      writer.switch_part(position * files / *options.documents);
    } else {
      if (writer.bytes_in() >= *options.size_bytes) break;
      const std::uint64_t per_file = (*options.size_bytes + files - 1) / files;
      writer.switch_part(std::min(files - 1, writer.bytes_in() / per_file));
    }
    const PlannedDocument planned = plan.next();
    switch (planned.kind) {
      case DocumentKind::kOriginal:
        original_text(generator, options, position, text);
        ++counts.good;
        break;
      case DocumentKind::kLowQuality: {
        Random random(derive_seed(options.seed, kDocumentStream, position));
        generator.low_quality_text(planned.quality, random,
                                   draw_text_bytes(random, options.doc_bytes), text);
        ++counts.low_quality;
        break;
      }
      case DocumentKind::kExactCopy:
        original_text(generator, options, planned.source, text);
        write_truth(truth, position, planned, 0, 1.0);  // identical texts: identical sets
        ++counts.exact_copies;
        break;
      case DocumentKind::kNearCopy: {
        original_text(generator, options, planned.source, source);
        Random random(derive_seed(options.seed, kEditStream, position));
        const std::uint64_t edits = make_near_copy(source, planned.edit_rate, words, random, text);
        write_truth(truth, position, planned, edits, shingle_jaccard(source, text));
        ++counts.near_copies;
        break;
      }
    }
    writer.write_record(position, text, planned.quality);
    ++counts.documents;
  }
  writer.finish();
  truth.close();

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string on_disk = options.compression == Compression::None
                                  ? std::string()
                                  : fmt::format(" ({} bytes compressed)", writer.bytes_out());
  fmt::print(
      "gen_corpus: {} documents ({} good, {} low-quality, {} exact copies, {} near copies), "
      "{} bytes of JSONL{} in {} file(s) under {}, {} duplicates planted (ground truth {}), "
      "{:.2f} s ({:.1f} MB/s)\n",
      counts.documents, counts.good, counts.low_quality, counts.exact_copies, counts.near_copies,
      writer.bytes_in(), on_disk, writer.files(), options.output.string(),
      counts.exact_copies + counts.near_copies, options.ground_truth.string(), seconds,
      static_cast<double>(writer.bytes_in()) / 1e6 / seconds);
}

}  // namespace
}  // namespace curate::tools

int main(int argc, char** argv) {
  CLI::App app{"gen_corpus"};
  curate::tools::Options options;
  curate::tools::add_options(app, options);
  CLI11_PARSE(app, argc, argv);
  try {
    curate::tools::finalize_options(options, app);
    curate::tools::generate(options);
  } catch (const std::exception& error) {
    fmt::print(stderr, "gen_corpus: error: {}\n", error.what());
    return 1;
  }
  return 0;
}
