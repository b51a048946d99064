#pragma once

#include "curate/cli/commands.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace curate::cli {

/// The options of `curate dedup exact|fuzzy`.
struct DedupOptions {
  std::string mode;                ///< "exact" or "fuzzy"
  std::vector<std::string> input;  ///< --input: files, folders, globs
  std::string output;              ///< --output: removal list and stats.json
  bool perform_removal = false;    ///< --perform-removal: write the kept corpus
  bool overwrite = false;          ///< --overwrite: replace earlier output
  std::string text_field = "text";
  std::string id_field = "id";
  std::optional<int> files_per_partition;
  int workers = 0;  ///< 0: every CPU
  bool quiet = false;
  bool json = false;
  bool describe = false;  ///< fuzzy: print the plan and the S-curve, run nothing
  // exact
  std::string hash = "xxh3_128";
  // fuzzy
  std::optional<int> char_ngrams;  ///< NeMo Curator's name: character n-grams
  int word_ngrams = 5;
  bool normalize_digits = false;
  bool strip_diacritics = false;
  std::string sketch = "oph";
  double threshold = 0.8;
  std::optional<int> num_bands;
  std::optional<int> minhashes_per_band;
  std::optional<std::string> lsh_preset;
  int bands_per_iteration = 5;
  uint64_t seed = 42;
  bool use_64_bit_hash = false;
  int num_partitions = 64;
};

/// Declare `curate dedup` and its two subcommands on `app`, bound to `options`;
/// returns the `dedup` subcommand. Called once by run_cli.
CLI::App* add_dedup_command(CLI::App& app, DedupOptions& options);

/// Run exact or fuzzy deduplication as `options` say: the removal list and stats.json
/// under --output, the per-phase table and the counters on `context.out`. Throws
/// ConfigError for bad options, found before anything runs. Driver thread only.
int dedup_command(const DedupOptions& options, CliContext& context);

}  // namespace curate::cli
