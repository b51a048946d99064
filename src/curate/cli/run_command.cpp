// `curate run`: everything between a pipeline file and stats.json.

#include "curate/backends/interrupt_watcher.hpp"
#include "curate/backends/logging.hpp"
#include "curate/backends/mpi/mpi_session.hpp"
#include "curate/cli/bad_records.hpp"
#include "curate/cli/commands.hpp"
#include "curate/cli/config_error.hpp"
#include "curate/cli/config_errors.hpp"
#include "curate/cli/overwrite.hpp"
#include "curate/cli/pipeline_builder.hpp"
#include "curate/cli/progress_reporter.hpp"
#include "curate/cli/resume.hpp"
#include "curate/cli/run_log.hpp"
#include "curate/cli/workflow_file.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>

namespace curate::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The completion stage is the CLI's bookkeeping, not the user's pipeline.
backends::RunStats without_completion_stage(backends::RunStats stats) {
  std::erase_if(stats.stages, [](const backends::StageStats& stage) {
    return stage.name == kCompletionStageName;
  });
  if (!stats.stages.empty()) stats.output_tasks = stats.stages.back().tasks_out;
  return stats;
}

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

// While live lines are drawn, log records go through the reporter so that they appear
// above the lines instead of being overdrawn. Workers copy the default logger's sinks
// when they start, so the swap happens before the run and is undone after it.
class LogRedirect {
 public:
  LogRedirect(ProgressReporter& reporter, bool active) {
    if (!active) return;
    logger_ = spdlog::default_logger();
    saved_ = logger_->sinks();
    auto sink = reporter.make_log_sink();
    sink->set_pattern(backends::worker_logging_config().pattern);
    logger_->sinks() = {std::move(sink)};
  }
  ~LogRedirect() {
    if (logger_) logger_->sinks() = saved_;
  }
  LogRedirect(const LogRedirect&) = delete;
  LogRedirect& operator=(const LogRedirect&) = delete;

 private:
  std::shared_ptr<spdlog::logger> logger_;
  std::vector<spdlog::sink_ptr> saved_;
};

ProgressOptions progress_options(const RunOptions& options, const CliContext& context) {
  ProgressOptions progress;
  if (options.quiet) {
    progress.mode = ProgressMode::Off;
  } else {
    progress.mode = context.err_is_terminal ? ProgressMode::Live : ProgressMode::Plain;
  }
  progress.plain_interval = std::chrono::milliseconds(
      static_cast<std::int64_t>(std::max(options.progress_interval_s, 0.001) * 1000.0));
  progress.columns = context.terminal_columns;
  progress.hidden_stages = {kCompletionStageName};
  return progress;
}

}  // namespace

int run_command(const RunOptions& options, CliContext& context) {
  if (is_workflow_file(options.pipeline_file)) {
    if (!options.sets.empty()) {
      throw ConfigError(
          options.pipeline_file.string() +
          ": --set changes pipeline files; a workflow file takes its params as written");
    }
    return run_workflow_file(options.pipeline_file, options.quiet, context);
  }
  // Every mistake in the file is found before one is reported, so one run shows them all.
  ConfigErrors errors;
  const PipelineConfig config = load_pipeline_config(options.pipeline_file, options.sets, &errors);
  const StageRegistry registry = make_registry(context);
  const fs::path log_dir = options.log_dir.value_or(fs::path("logs") / config.name);
  const Pipeline pipeline = build_pipeline(config, registry, BuildOptions{log_dir}, &errors);
  resolve_executor_config(config, &errors);
  errors.throw_if_any();
  ExecutorHandle executor = make_executor(config);
  std::vector<StagePtr> built = pipeline.build();

  // Under MPI, rank 0 is the driver: it alone clears outputs, prepares the log folder,
  // shows progress and writes stats.json; the other ranks wait until it has prepared.
  const auto mpi_cluster = backends::mpi::MpiSession::cluster();
  const bool driver = mpi_cluster == nullptr || mpi_cluster->rank() == 0;
  RunLog log(log_dir);
  const std::string fingerprint = pipeline_fingerprint(config);
  if (driver) {
    if (options.overwrite) {
      clear_outputs_for_overwrite(config, registry, options.pipeline_file, log_dir);
    }
    log.prepare(fingerprint, config.document, options.overwrite);
  }
  if (mpi_cluster) mpi_cluster->barrier();
  auto ledger = std::make_shared<CompletionLedger>(log.markers_dir());
  if (driver && ledger->previously_completed() > 0) {
    spdlog::info(
        "resuming '{}': {} source tasks already complete (markers in {}); --overwrite "
        "starts over",
        config.name, ledger->previously_completed(), log.markers_dir().string());
  }
  const auto sinks = bad_record_sinks(built);
  bool resumable = false;
  std::vector<StagePtr> stages = add_resume_tracking(std::move(built), ledger, resumable);

  const std::string start_time = utc_timestamp();
  int status = kExitSuccess;
  bool interrupted = false;
  std::string error;
  const CancellationToken cancel;
  // Lives to the end of the command: a second signal while stats.json is written still
  // exits at once, and a first one no longer kills the process before it is written.
  std::optional<backends::InterruptWatcher> watcher;
  if (context.handle_interrupts) watcher.emplace(cancel);
  {
    ProgressOptions progress = progress_options(options, context);
    if (!driver) progress.mode = ProgressMode::Off;
    ProgressReporter reporter(executor.progress, context.err, progress);
    const LogRedirect redirect(reporter, progress.mode == ProgressMode::Live);
    reporter.start();
    try {
      executor.executor->execute(stages, {std::make_shared<EmptyTask>("empty", config.name)},
                                 cancel);
    } catch (const RunCancelled& cancelled) {
      interrupted = true;
      const int signal = watcher ? watcher->signal_received() : 0;
      status = signal > 0 ? backends::InterruptWatcher::exit_status_for(signal) : kExitInterrupted;
      error = one_line(cancelled.what());
    } catch (const std::exception& failure) {
      status = kExitRunFailed;
      error = one_line(failure.what());
    }
    reporter.stop();
  }
  const backends::RunStats stats = without_completion_stage(executor.stats());
  // Source tasks: what the first stage made; complete: those with a marker, from this run
  // or an earlier one (markers of inputs no longer listed are not counted past the total).
  const std::uint64_t source_total = stats.stages.empty() ? 0 : stats.stages.front().tasks_out;
  std::uint64_t source_complete = ledger->previously_completed() + ledger->completed_this_run();
  if (source_total > 0) source_complete = std::min(source_complete, source_total);

  json record = stats.to_json();
  record["pipeline"] = config.name;
  record["pipeline_file"] = options.pipeline_file.string();
  record["fingerprint"] = fingerprint;
  record["executor_type"] = executor.type;
  record["executor_config"] = executor.config;
  record["start_time"] = start_time;
  record["end_time"] = utc_timestamp();
  record["exit_status"] = status;
  record["interrupted"] = interrupted;
  if (status != kExitSuccess) record["error"] = error;
  record["source_tasks"] = {{"total", source_total}, {"complete", source_complete}};
  record["log_dir"] = log_dir.string();
  record["bad_records"] = bad_records_json(sinks, log.errors_path());
  record["resume"] = {{"enabled", resumable},
                      {"previously_completed", ledger->previously_completed()},
                      {"source_tasks_skipped", ledger->skipped()},
                      {"source_tasks_completed", ledger->completed_this_run()}};
  if (!driver) return status;  // rank 0 reports the whole job
  try {
    log.write_stats(record);
  } catch (const std::exception& failure) {
    if (status == kExitSuccess) error = fmt::format("cannot write stats.json: {}", failure.what());
    if (!interrupted) status = kExitRunFailed;
  }

  if (!options.quiet) {
    std::string table = stats.to_table();
    if (!table.empty() && table.back() != '\n') table += '\n';
    context.out << table;
    context.out << fmt::format(
        "{} in {:.2f}s; bad records: {}; skipped {} completed source tasks; "
        "stats: {}\n",
        status == kExitSuccess ? "finished" : (interrupted ? "INTERRUPTED" : "FAILED"),
        stats.wall_time_s, record["bad_records"]["total"].get<std::uint64_t>(), ledger->skipped(),
        log.stats_path().string());
    context.out.flush();
  }
  if (interrupted) {
    context.err << fmt::format("interrupted: {} of {} source tasks complete; {}", source_complete,
                               source_total,
                               resumable
                                   ? "run the same command again to resume"
                                   : "resume is off for this pipeline, so a rerun starts over")
                << std::endl;
  } else if (status != kExitSuccess) {
    context.err << "curate: " << error << std::endl;
  }
  return status;
}

}  // namespace curate::cli
