// `curate dedup exact|fuzzy`: a deduplication workflow from the command line.

#include "curate/cli/dedup_command.hpp"

#include "curate/backends/local/local_executor.hpp"
#include "curate/backends/mpi/mpi_executor.hpp"
#include "curate/backends/mpi/mpi_session.hpp"
#include "curate/cli/config_error.hpp"
#include "curate/cli/progress_reporter.hpp"
#include "curate/dedup/exact/exact_deduplication_workflow.hpp"
#include "curate/dedup/fuzzy/fuzzy_deduplication_workflow.hpp"
#include "curate/dedup/fuzzy/fuzzy_stats.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

namespace curate::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

void add_common_options(CLI::App& command, DedupOptions& o) {
  command.add_option("--input", o.input, "JSONL files, folders (recursive) or globs")
      ->required()
      ->expected(1, -1);
  command.add_option("--output", o.output, "Folder for the removal list and stats.json")
      ->required();
  command.add_flag("--perform-removal", o.perform_removal,
                   "Also write the corpus without the removed documents to OUTPUT/deduplicated");
  command.add_flag("--overwrite", o.overwrite, "Replace the output of an earlier run");
  command.add_option("--text-field", o.text_field, "The text field of each record")
      ->capture_default_str();
  command.add_option("--id-field", o.id_field, "The id field the removal list names")
      ->capture_default_str();
  command.add_option("--files-per-partition", o.files_per_partition, "Input files per reader task")
      ->check(CLI::PositiveNumber);
  command.add_option("--workers", o.workers, "CPUs to use (default: every CPU curate may use)")
      ->check(CLI::NonNegativeNumber);
  command.add_flag("-q,--quiet", o.quiet, "Show no progress and no tables");
  command.add_flag("--json", o.json, "Print the counters as one JSON object");
}

void fail_config(const std::string& message) { throw ConfigError("curate dedup: " + message); }

dedup::FuzzyOptions fuzzy_options(const DedupOptions& o) {
  dedup::FuzzyOptions options;
  if (o.char_ngrams) {
    options.shingles.kind = dedup::ShingleKind::kChar;
    options.shingles.n = *o.char_ngrams;
  } else {
    options.shingles.n = o.word_ngrams;
  }
  options.shingles.normalize_digits = o.normalize_digits;
  options.shingles.strip_diacritics = o.strip_diacritics;
  if (o.sketch == "oph") {
    options.sketch = dedup::SketchKind::kOnePermutation;
  } else if (o.sketch == "classic") {
    options.sketch = dedup::SketchKind::kClassic;
  } else {
    fail_config(fmt::format("--sketch must be 'oph' or 'classic' (got '{}')", o.sketch));
  }
  if (o.lsh_preset && (o.num_bands || o.minhashes_per_band)) {
    fail_config("give --lsh-preset or --num-bands with --minhashes-per-band, not both");
  }
  if (o.num_bands.has_value() != o.minhashes_per_band.has_value()) {
    fail_config("--num-bands and --minhashes-per-band go together");
  }
  try {
    if (o.lsh_preset) options.lsh = dedup::lsh_preset(*o.lsh_preset);
    if (o.num_bands) options.lsh = dedup::LshParams{*o.num_bands, *o.minhashes_per_band};
    options.jaccard_threshold = o.threshold;
    options.bands_per_iteration = o.bands_per_iteration;
    options.seed = o.seed;
    options.use_64_bit_hash = o.use_64_bit_hash;
    options.num_partitions = o.num_partitions;
    return options.resolved();
  } catch (const std::invalid_argument& error) {
    fail_config(error.what());
  }
  return options;
}

// Runs a workflow with live progress, collecting each phase's executor statistics. Under
// mpirun or srun every rank runs the workflow on the MPI executor, which hands every rank
// the whole job's outputs (the workflows read them: counters, the candidate index);
// rank 0 alone shows progress and tables.
class PhaseRunner {
 public:
  PhaseRunner(const DedupOptions& options, CliContext& context)
      : options_(options), context_(context), mpi_(backends::mpi::MpiSession::cluster()) {
    json config = options.workers > 0 ? json{{"num_cpus", options.workers}} : json::object();
    if (context.executor != nullptr) {
      // An executor of the caller's: it has no progress or statistics of this kind.
      external_ = context.executor;
      progress_ = [] { return std::vector<backends::StageProgress>{}; };
    } else if (mpi_) {
      config["all_gather_outputs"] = true;
      auto executor = std::make_unique<backends::MpiExecutor>(config);
      const backends::MpiExecutor* view = executor.get();
      progress_ = [view] { return view->progress(); };
      stats_ = [view] { return view->last_run_stats(); };
      executor_ = std::move(executor);
    } else {
      auto executor = std::make_unique<backends::LocalExecutor>(config);
      const backends::LocalExecutor* view = executor.get();
      progress_ = [view] { return view->progress(); };
      stats_ = [view] { return view->last_run_stats(); };
      executor_ = std::move(executor);
    }
  }

  Executor& executor() { return external_ != nullptr ? *external_ : *executor_; }
  /// Return true on the rank that reports (rank 0), or when not under MPI.
  bool driver() const { return !mpi_ || mpi_->rank() == 0; }
  const std::shared_ptr<backends::mpi::MpiCluster>& mpi() const { return mpi_; }

  template <typename Body>
  json run(Body&& body) {
    ProgressOptions progress;
    progress.mode = options_.quiet || options_.json || !driver()
                        ? ProgressMode::Off
                        : (context_.err_is_terminal ? ProgressMode::Live : ProgressMode::Plain);
    progress.columns = context_.terminal_columns;
    ProgressReporter reporter(progress_, context_.err, progress);
    reporter.start();
    json result = body([&](const std::string& phase) {
      if (!stats_) return;
      const auto stats = stats_();
      phases_[phase] = stats.to_json();
      if (!options_.quiet && !options_.json && driver())
        context_.out << "phase " << phase << ":\n" << stats.to_table() << "\n";
    });
    reporter.stop();
    return result;
  }
  const json& phases() const { return phases_; }

 private:
  const DedupOptions& options_;
  CliContext& context_;
  std::shared_ptr<backends::mpi::MpiCluster> mpi_;
  std::unique_ptr<Executor> executor_;
  Executor* external_ = nullptr;  // the caller's (CliContext::executor), not owned
  std::function<std::vector<backends::StageProgress>()> progress_;
  std::function<backends::RunStats()> stats_;
  json phases_ = json::object();
};

// Under MPI, rank 0 alone replaces an earlier run's output (ranks removing one folder at
// once would trip over each other); the others wait, then every rank finds it empty.
// Returns the `overwrite` each rank's workflow gets.
bool clear_outputs_once(const PhaseRunner& runner, const DedupOptions& o) {
  if (!runner.mpi() || !o.overwrite) return o.overwrite;
  if (runner.driver()) {
    for (const char* folder : {"removal_list", "deduplicated"}) {
      std::error_code error;
      fs::remove_all(fs::path(o.output) / folder, error);
    }
  }
  runner.mpi()->barrier();
  return false;
}

// The fuzzy counters are each rank's own work: sum them over the ranks as FuzzyStats
// merges a worker's (the largest component is the maximum). The other keys (the removal
// list) are the same on every rank.
json sum_fuzzy_counters(const PhaseRunner& runner, json counters) {
  if (!runner.mpi()) return counters;
  auto& cluster = *runner.mpi();
  const json known = dedup::FuzzyStats{}.counters();
  json own = json::object();
  for (const auto& [key, value] : known.items()) {
    if (counters.contains(key)) own[key] = counters[key];
  }
  const std::vector<std::string> all = cluster.all_to_all(
      std::vector<std::string>(static_cast<std::size_t>(cluster.size()), own.dump()));
  dedup::FuzzyStats total;
  for (const std::string& text : all) total.merge(json::parse(text));
  counters.update(total.to_json());
  return counters;
}

void write_stats(const fs::path& output, const json& record) {
  fs::create_directories(output);
  const fs::path path = output / "stats.json";
  const fs::path temporary = output / "stats.json.tmp";
  {
    std::ofstream out(temporary);
    out << record.dump(2) << "\n";
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  fs::rename(temporary, path);
}

dedup::DedupInput dedup_input(const DedupOptions& o) {
  dedup::DedupInput input;
  input.paths = o.input;
  input.files_per_partition = o.files_per_partition;
  input.text_field = o.text_field;
  input.id_field = o.id_field;
  return input;
}

// Builds a workflow, turning its checks (bad option, missing input) into exit status 2.
template <typename Workflow, typename Config>
Workflow build_workflow(Config config) {
  try {
    return Workflow(std::move(config));
  } catch (const std::invalid_argument& error) {
    fail_config(error.what());
  }
  throw std::logic_error("unreachable");
}

void print_summary(const DedupOptions& o, CliContext& context, const json& counters,
                   const std::string& line) {
  if (o.json) {
    context.out << counters.dump() << "\n";
  } else if (!o.quiet) {
    context.out << line << "\n";
  }
}

int fuzzy_command(const DedupOptions& o, CliContext& context) {
  dedup::FuzzyDeduplicationConfig config;
  config.input = dedup_input(o);
  config.output_path = o.output;
  config.options = fuzzy_options(o);
  config.perform_removal = o.perform_removal;
  PhaseRunner runner(o, context);
  config.overwrite = clear_outputs_once(runner, o);
  const auto workflow = build_workflow<dedup::FuzzyDeduplicationWorkflow>(config);
  const auto& lsh = config.options.bands();
  if (!o.quiet && !o.json && runner.driver()) {
    context.out << fmt::format(
                       "fuzzy dedup: {} {}-grams, {} sketch, {} bands x {} rows, threshold {}\n",
                       o.char_ngrams ? "character" : "word", config.options.shingles.n, o.sketch,
                       lsh.num_bands, lsh.minhashes_per_band, config.options.jaccard_threshold)
                << dedup::describe_s_curve(config.options.jaccard_threshold, lsh) << "\n";
  }
  if (o.describe) {
    if ((o.quiet || o.json) && runner.driver()) {
      context.out << dedup::describe_s_curve(config.options.jaccard_threshold, lsh) << "\n";
    }
    return kExitSuccess;
  }
  json counters = runner.run(
      [&](const auto& after_phase) { return workflow.run(runner.executor(), after_phase); });
  counters = sum_fuzzy_counters(runner, std::move(counters));
  if (!runner.driver()) return kExitSuccess;
  write_stats(o.output,
              {{"workflow", "fuzzy"}, {"counters", counters}, {"phases", runner.phases()}});
  print_summary(
      o, context, counters,
      fmt::format(
          "{} documents, {} candidates in {} components (largest {}), {} pairs verified "
          "of {} compared; {} removed; removal list: {}",
          counters["documents"].get<uint64_t>(), counters["candidate_documents"].get<uint64_t>(),
          counters["components"].get<uint64_t>(), counters["largest_component"].get<uint64_t>(),
          counters["verified_pairs"].get<uint64_t>(), counters["candidate_pairs"].get<uint64_t>(),
          counters["documents_removed"].get<uint64_t>(),
          counters["removal_list"].get<std::string>()));
  return kExitSuccess;
}

int exact_command(const DedupOptions& o, CliContext& context) {
  dedup::ExactDeduplicationParams params;
  params.input_path = o.input;
  params.output_path = o.output;
  params.text_field = o.text_field;
  params.id_field = o.id_field;
  params.files_per_partition = o.files_per_partition;
  params.perform_removal = o.perform_removal;
  PhaseRunner runner(o, context);
  params.overwrite = clear_outputs_once(runner, o);
  try {
    params.hash = dedup::text_hash_from_name(o.hash);
  } catch (const std::invalid_argument& error) {
    fail_config(error.what());
  }
  auto workflow = build_workflow<dedup::ExactDeduplicationWorkflow>(params);
  json counters = runner.run([&](const auto& after_phase) {
    const auto stats = workflow.run(runner.executor());
    after_phase(o.perform_removal ? "identification_and_removal" : "identification");
    json result = {{"documents", stats.documents},
                   {"duplicate_groups", stats.duplicate_groups},
                   {"documents_removed", stats.removed},
                   {"removal_list", stats.removal_list_dir}};
    if (o.perform_removal) {
      result["kept_written"] = stats.kept_written;
      result["deduplicated"] = stats.deduplicated_dir;
    }
    return result;
  });
  if (!runner.driver()) return kExitSuccess;
  write_stats(o.output,
              {{"workflow", "exact"}, {"counters", counters}, {"phases", runner.phases()}});
  print_summary(o, context, counters,
                fmt::format("{} documents, {} groups of identical texts; {} removed; removal "
                            "list: {}",
                            counters["documents"].get<uint64_t>(),
                            counters["duplicate_groups"].get<uint64_t>(),
                            counters["documents_removed"].get<uint64_t>(),
                            counters["removal_list"].get<std::string>()));
  return kExitSuccess;
}

}  // namespace

CLI::App* add_dedup_command(CLI::App& app, DedupOptions& o) {
  auto* dedup = app.add_subcommand("dedup", "Remove exact or near duplicates, with evidence");
  dedup->require_subcommand(1);
  auto* exact =
      dedup->add_subcommand("exact", "Remove documents whose text is identical to an earlier one");
  add_common_options(*exact, o);
  exact->add_option("--hash", o.hash, "xxh3_128 (default) or md5 (NeMo Curator's)")
      ->capture_default_str();
  exact->callback([&o] { o.mode = "exact"; });

  auto* fuzzy = dedup->add_subcommand(
      "fuzzy", "Remove near duplicates (MinHash, LSH, verified by exact Jaccard)");
  add_common_options(*fuzzy, o);
  fuzzy
      ->add_option("--char-ngrams", o.char_ngrams,
                   "Use character n-grams of this size (NeMo Curator: 24)")
      ->check(CLI::PositiveNumber);
  fuzzy->add_option("--word-ngrams", o.word_ngrams, "Word n-gram size when not --char-ngrams")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  fuzzy->add_flag("--normalize-digits", o.normalize_digits, "Shingle every digit as 0 (datatrove)");
  fuzzy->add_flag("--strip-diacritics", o.strip_diacritics,
                  "Shingle without diacritics (datatrove)");
  fuzzy
      ->add_option("--sketch", o.sketch,
                   "oph (one permutation, densified) or classic (k permutations)")
      ->capture_default_str();
  fuzzy
      ->add_option("--threshold", o.threshold, "Jaccard at or above which documents are duplicates")
      ->capture_default_str();
  fuzzy->add_option("--num-bands", o.num_bands, "LSH bands (default: chosen from the threshold)");
  fuzzy->add_option("--minhashes-per-band", o.minhashes_per_band, "LSH rows per band");
  fuzzy->add_option("--lsh-preset", o.lsh_preset, "nemo_curator (20 x 13) or datatrove (14 x 8)");
  fuzzy
      ->add_option("--bands-per-iteration", o.bands_per_iteration,
                   "Bands per LSH window (memory bound)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  fuzzy->add_option("--seed", o.seed, "Seed of the shingle hash and the permutations")
      ->capture_default_str();
  fuzzy->add_flag("--use-64-bit-hash", o.use_64_bit_hash, "64-bit sketch values (default 32-bit)");
  fuzzy->add_option("--num-partitions", o.num_partitions, "Shuffle partitions")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  fuzzy->add_flag("--describe", o.describe,
                  "Print the shingles, sketch, bands x rows and the S-curve; run nothing");
  fuzzy->callback([&o] { o.mode = "fuzzy"; });
  return dedup;
}

int dedup_command(const DedupOptions& options, CliContext& context) {
  if (options.mode == "fuzzy") return fuzzy_command(options, context);
  return exact_command(options, context);
}

}  // namespace curate::cli
