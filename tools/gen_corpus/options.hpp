#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "corpus_plan.hpp"
#include "curate/io/compression.hpp"

namespace curate::tools {

using io::Compression;
using io::compression_suffix;

/// Everything gen_corpus is asked to do, after finalize_options().
struct Options {
  std::filesystem::path output;
  bool output_is_directory = false;
  std::optional<std::uint64_t> documents;   // --documents N, or
  std::optional<std::uint64_t> size_bytes;  // --size BYTES
  std::size_t files = 1;
  std::uint64_t seed = 42;
  std::uint64_t doc_bytes = 2000;
  PlanShares shares;
  std::vector<double> edit_rates = {0.02, 0.05, 0.1, 0.2};
  std::filesystem::path ground_truth;
  std::filesystem::path words = "/usr/share/dict/american-english";
  Compression compression = Compression::None;

  // The raw option text, turned into the fields above by finalize_options().
  std::string size_text;
  std::string doc_bytes_text = "2000";
  std::string edit_rates_text = "0.02,0.05,0.1,0.2";
  std::string compress_text;
};

/// Declare gen_corpus's options on `app`, bound to `options`. Called once by main().
void add_options(CLI::App& app, Options& options);

/// Check the parsed options and derive the rest: sizes, edit rates, whether the output
/// is a directory, the compression and the ground-truth path. Throws
/// std::invalid_argument with a message that says what to change.
void finalize_options(Options& options, const CLI::App& app);

/// Parse a byte count: digits with an optional suffix K, M, G or T (powers of 1024;
/// "KB", "KiB" and lowercase also accepted), e.g. "512M" = 536870912.
/// Throws std::invalid_argument naming `option` when it is not one.
std::uint64_t parse_size(std::string_view text, std::string_view option);

/// Parse a comma-separated list of fractions in (0, 1], e.g. "0.02,0.05".
std::vector<double> parse_rates(std::string_view text, std::string_view option);

}  // namespace curate::tools
