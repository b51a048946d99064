#include "options.hpp"

#include <cctype>
#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

#include "jaccard.hpp"

namespace curate::tools {
namespace {

bool ends_with_any(const std::string& name, std::initializer_list<std::string_view> suffixes) {
  for (std::string_view suffix : suffixes) {
    if (name.ends_with(suffix)) return true;
  }
  return false;
}

void check_share(double share, std::string_view option) {
  if (!(share >= 0.0 && share <= 1.0)) {
    throw std::invalid_argument(fmt::format("{} must be between 0 and 1, not {}", option, share));
  }
}

}  // namespace

void add_options(CLI::App& app, Options& o) {
  app.description(
      "Write a deterministic JSONL corpus of English-like documents with planted low-quality "
      "documents and exact and near duplicates, plus a ground-truth file of the duplicates.");
  app.add_option("--output", o.output,
                 "a file (name ending .jsonl, .jsonl.gz or .jsonl.zst) or else a directory of "
                 "part-00000.jsonl ... files")
      ->required();
  auto* documents = app.add_option("--documents", o.documents, "number of documents to write");
  auto* size = app.add_option("--size", o.size_text,
                              "target total JSONL bytes before compression, e.g. 10K, 512M, 1G "
                              "(powers of 1024); stops after the record that reaches it");
  documents->excludes(size);
  app.add_option("--files", o.files, "number of part files (output is then a directory)")
      ->check(CLI::Range(1, 100000));
  app.add_option("--seed", o.seed, "random seed; same options and seed give identical bytes")
      ->capture_default_str();
  app.add_option("--doc-bytes", o.doc_bytes_text,
                 "mean text bytes of a good document (sizes spread over 0.3x-1.7x), e.g. 4K")
      ->capture_default_str();
  app.add_option("--low-quality-share", o.shares.low_quality,
                 "share of boilerplate, repeated-line, symbol-soup and too-short documents")
      ->capture_default_str();
  app.add_option("--exact-dup-share", o.shares.exact_copies, "share of exact copies")
      ->capture_default_str();
  app.add_option("--near-dup-share", o.shares.near_copies, "share of near copies")
      ->capture_default_str();
  app.add_option("--near-dup-edit-rates", o.edit_rates_text,
                 "fractions of words edited in near copies, used in turn")
      ->capture_default_str();
  app.add_option("--ground-truth", o.ground_truth,
                 "JSONL of planted copies (default <output>.truth.jsonl, beside the corpus)");
  app.add_option("--compress", o.compress_text,
                 "gz, zst or none (default: from the file name's suffix, none for a directory)")
      ->check(CLI::IsMember({"gz", "zst", "none"}));
  app.add_option("--words", o.words, "word list, one per line; only lines of letters a-z are used")
      ->capture_default_str();
  app.footer(
      "Records: {\"id\":\"doc-N\",\"text\":...,\"source\":\"gen_corpus\",\"url\":"
      "\"https://example.com/N\",\"quality\":Q,\"word_count\":W}, N = 0, 1, ... in file order, "
      "Q one of good, boilerplate, repeated_lines, symbol_soup, too_short, W the number of "
      "whitespace-separated words.\n"
      "Ground truth: one line per planted copy, {\"copy_id\",\"source_id\",\"kind\":\"exact\"|"
      "\"near\",\"edit_rate\",\"edits\",\"jaccard\"}; a copy is never next to its source.\n" +
      std::string(kJaccardDefinition) +
      "\nOutput is byte-identical for the same options, seed and word list on any machine "
      "(compressed output: also the same zlib/zstd version).");
}

void finalize_options(Options& o, const CLI::App& app) {
  if (!o.documents && o.size_text.empty()) {
    throw std::invalid_argument("give --documents N or --size BYTES");
  }
  if (o.documents && *o.documents == 0) throw std::invalid_argument("--documents must be > 0");
  if (!o.size_text.empty()) {
    o.size_bytes = parse_size(o.size_text, "--size");
    if (*o.size_bytes == 0) throw std::invalid_argument("--size must be > 0");
  }
  o.doc_bytes = parse_size(o.doc_bytes_text, "--doc-bytes");
  if (o.doc_bytes < 20) throw std::invalid_argument("--doc-bytes must be at least 20");
  check_share(o.shares.low_quality, "--low-quality-share");
  check_share(o.shares.exact_copies, "--exact-dup-share");
  check_share(o.shares.near_copies, "--near-dup-share");
  if (o.shares.low_quality + o.shares.exact_copies + o.shares.near_copies >= 1.0) {
    throw std::invalid_argument(
        "--low-quality-share, --exact-dup-share and --near-dup-share must sum below 1, so "
        "some good originals remain to be copied");
  }
  o.edit_rates = parse_rates(o.edit_rates_text, "--near-dup-edit-rates");

  const std::string name = o.output.string();
  const bool file_name = ends_with_any(name, {".jsonl", ".jsonl.gz", ".jsonl.zst"});
  o.output_is_directory = !file_name || std::filesystem::is_directory(o.output);
  if (!o.output_is_directory && app.count("--files") > 0 && o.files > 1) {
    throw std::invalid_argument(fmt::format(
        "--files {} needs a directory as --output, but {} names a file", o.files, name));
  }

  const Compression from_name = io::compression_from_path(name);
  if (o.compress_text.empty()) {
    o.compression = o.output_is_directory ? Compression::None : from_name;
  } else {
    o.compression = io::compression_from_name(o.compress_text);
    if (!o.output_is_directory && o.compression != from_name) {
      throw std::invalid_argument(
          fmt::format("--compress {} does not match the file name {}; name it *.jsonl{}",
                      o.compress_text, name, compression_suffix(o.compression)));
    }
  }
  if (o.ground_truth.empty()) {
    // Beside the corpus, never inside it: a reader given the corpus folder would take a
    // *.jsonl ground truth for input.
    std::string base = o.output.lexically_normal().string();
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    o.ground_truth = std::filesystem::path(base + ".truth.jsonl");
  }
}

std::uint64_t parse_size(std::string_view text, std::string_view option) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string suffix(end, text.data() + text.size());
  for (char& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (suffix.ends_with("IB")) suffix.resize(suffix.size() - 2);
  if (suffix.size() == 2 && suffix.back() == 'B') suffix.pop_back();
  int shift = -1;
  if (suffix.empty() || suffix == "B") shift = 0;
  if (suffix == "K") shift = 10;
  if (suffix == "M") shift = 20;
  if (suffix == "G") shift = 30;
  if (suffix == "T") shift = 40;
  if (error != std::errc() || end == text.data() || shift < 0 || (value >> (63 - shift)) != 0) {
    throw std::invalid_argument(
        fmt::format("{} {:?} is not a byte count; write e.g. 2000, 10K, 512M or 1G", option, text));
  }
  return value << shift;
}

std::vector<double> parse_rates(std::string_view text, std::string_view option) {
  std::vector<double> rates;
  while (!text.empty()) {
    const std::size_t comma = std::min(text.find(','), text.size());
    const std::string_view item = text.substr(0, comma);
    double rate = 0;
    // from_chars, unlike strtod, ignores the locale's decimal separator.
    const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), rate);
    if (error != std::errc() || end != item.data() + item.size() || !(rate > 0 && rate <= 1)) {
      throw std::invalid_argument(fmt::format(
          "{}: {:?} is not a fraction in (0, 1]; write e.g. 0.02,0.05,0.1,0.2", option, item));
    }
    rates.push_back(rate);
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  if (rates.empty()) throw std::invalid_argument(fmt::format("{} needs at least one rate", option));
  return rates;
}

}  // namespace curate::tools
