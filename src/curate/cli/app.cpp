#include "curate/cli/app.hpp"

#include "curate/backends/mpi/mpi_session.hpp"

#include "curate/cli/config_error.hpp"
#include "curate/cli/dedup_command.hpp"
#include "curate/cli/version.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>

namespace curate::cli {
namespace {

namespace fs = std::filesystem;

// Restores the working directory that `-C` changed, however the command ends.
class WorkingDirectory {
 public:
  void change_to(const fs::path& dir) {
    previous_ = fs::current_path();
    try {
      fs::current_path(dir);
    } catch (const fs::filesystem_error&) {
      previous_.reset();
      throw ConfigError(fmt::format("-C: cannot change to directory '{}'", dir.string()));
    }
  }
  ~WorkingDirectory() {
    std::error_code ignored;
    if (previous_) fs::current_path(*previous_, ignored);
  }

 private:
  std::optional<fs::path> previous_;
};

void add_set_option(CLI::App& command, std::vector<std::string>& sets) {
  command
      .add_option("--set", sets,
                  "Change the pipeline before it is built: a dotted path into the file, list "
                  "elements by index or stage name, and a YAML value, e.g. "
                  "--set stages.jsonl_reader.params.paths=data/x (repeatable)")
      ->type_name("KEY=VALUE")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
}

}  // namespace

int run_cli(const std::vector<std::string>& args, CliContext& context) {
  CLI::App app(
      "curate: curate text corpora for model training (read JSONL, filter, "
      "deduplicate, write)",
      "curate");
  app.set_version_flag("--version", fmt::format("curate {}", kCurateVersion));
  app.require_subcommand(1);
  fs::path directory;
  app.add_option("-C", directory, "Run as if curate was started in DIR")->type_name("DIR");

  RunOptions run;
  auto* run_app = app.add_subcommand("run", "Run a pipeline file; resumes an interrupted run");
  run_app->add_option("pipeline", run.pipeline_file, "The pipeline YAML file")->required();
  add_set_option(*run_app, run.sets);
  run_app->add_option_function<std::string>(
      "--log-dir", [&run](const std::string& dir) { run.log_dir = dir; },
      "Folder for stats.json, errors.jsonl and completion markers (default: logs/<pipeline name>)");
  run_app->add_flag("--overwrite", run.overwrite,
                    "Start over: delete the completion markers and the output folders");
  run_app->add_flag("-q,--quiet", run.quiet, "Show no progress and no final table");
  run_app
      ->add_option("--progress-interval", run.progress_interval_s,
                   "Seconds between progress lines when stderr is not a terminal (default 10)")
      ->check(CLI::PositiveNumber);

  fs::path describe_file;
  std::vector<std::string> describe_sets;
  auto* describe_app =
      app.add_subcommand("describe", "Show the built stages of a pipeline file and its executor");
  describe_app->add_option("pipeline", describe_file, "The pipeline YAML file")->required();
  add_set_option(*describe_app, describe_sets);

  bool as_json = false;
  auto* resources_app =
      app.add_subcommand("resources", "Show the nodes, CPUs and GPUs (names, memory) curate sees");
  resources_app->add_flag("--json", as_json, "Print one JSON object {\"nodes\": [...]}");

  auto* stages_app = app.add_subcommand("stages", "List the stages a pipeline file can name");

  DedupOptions dedup;
  auto* dedup_app = add_dedup_command(app, dedup);

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error, context.out, context.err);
    context.err << "curate: " << error.what() << " (run with --help for usage)" << std::endl;
    return kExitUsage;
  }

  try {
    WorkingDirectory working_directory;
    if (!directory.empty()) working_directory.change_to(directory);
    if (*run_app) return run_command(run, context);
    if (*describe_app) return describe_command(describe_file, describe_sets, context);
    if (*resources_app) return resources_command(as_json, context);
    if (*stages_app) return stages_command(context);
    if (*dedup_app) return dedup_command(dedup, context);
  } catch (const ConfigError& error) {
    // One line per mistake, so that a file with several shows them all at once.
    for (const std::string& message : error.messages())
      context.err << "curate: " << message << '\n';
    context.err.flush();
    return kExitUsage;
  } catch (const std::exception& error) {
    context.err << "curate: " << error.what() << std::endl;
    return kExitRunFailed;
  }
  return kExitUsage;
}

void log_to_stderr() {
  // Under MPI every rank's lines reach the launcher's terminal: name the rank and node.
  std::string name = "curate";
  if (const auto mpi = backends::mpi::MpiSession::cluster()) {
    name = fmt::format("rank {}@{}", mpi->rank(), mpi->current_node_id());
  }
  auto logger = spdlog::stderr_color_mt(name);
  logger->set_level(spdlog::get_level());
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace curate::cli
