// The run's record of curate.backends.ray, from the engine pieces `curate run` uses: the
// completion ledger and resume tracking, the log folder with stats.json, the run stats'
// JSON and table, the progress line, and an actor's logger tagged with stage, worker and
// node. Thin: the Ray driver and actors call these; the logic is the CLI's and backends'.
#include "curate/backends/logging.hpp"
#include "curate/backends/run_stats.hpp"
#include "curate/cli/bad_records.hpp"
#include "curate/cli/pipeline_config.hpp"
#include "curate/cli/progress_reporter.hpp"
#include "curate/cli/resume.hpp"
#include "curate/cli/run_log.hpp"
#include "curate/core/processing_stage.hpp"
#include "curate/python/bindings.hpp"
#include "curate/python/stage_factory.hpp"

#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace nb = nanobind;

namespace curate::python {
namespace {

using nlohmann::json;

// Return `stages` with resume tracking (the second stage wrapped, the completion stage
// appended) and whether the pipeline is resumable, as `curate run` adds it.
std::pair<std::vector<StagePtr>, bool> add_resume_tracking(
    std::vector<StagePtr> stages, std::shared_ptr<cli::CompletionLedger> ledger) {
  bool resumable = false;
  std::vector<StagePtr> tracked = cli::add_resume_tracking(std::move(stages), ledger, resumable);
  return {std::move(tracked), resumable};
}

// Make this process's default logger the one of a worker: records of every engine call in
// a Ray actor (one stage instance per process) carry `stage/worker@node` and go to stderr,
// which Ray forwards to the driver.
void configure_worker_logging(const std::string& stage, const std::string& worker,
                              const std::string& node, const std::string& level) {
  backends::configure_logging(json{{"log_level", level}});
  auto stderr_logger =
      std::make_shared<spdlog::logger>("", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  spdlog::set_default_logger(stderr_logger);
  auto logger = backends::make_worker_logger(stage, worker, node);
  spdlog::set_default_logger(std::move(logger));
}

// The loggers of the stages one actor runs, in chain order (a fused chain has several): the
// actor makes the one of the stage it calls the default (select_worker_logger), so each
// record names the stage that wrote it. Used by the actor's one calling thread.
std::vector<std::shared_ptr<spdlog::logger>>& chain_loggers() {
  static std::vector<std::shared_ptr<spdlog::logger>> loggers;
  return loggers;
}

void configure_chain_logging(const std::vector<std::string>& stages,
                             const std::vector<std::string>& workers, const std::string& node,
                             const std::string& level) {
  if (stages.empty() || stages.size() != workers.size()) {
    throw std::invalid_argument("configure_chain_logging: one worker name per stage, at least one");
  }
  configure_worker_logging(stages.front(), workers.front(), node, level);
  auto& loggers = chain_loggers();
  loggers.clear();
  for (std::size_t i = 0; i < stages.size(); ++i) {
    loggers.push_back(i == 0 ? spdlog::default_logger()
                             : backends::make_worker_logger(stages[i], workers[i], node));
  }
}

void select_worker_logger(std::size_t index) {
  spdlog::set_default_logger(chain_loggers().at(index));
}

std::string progress_line(const std::string& stages_json, double elapsed_s) {
  std::vector<backends::StageProgress> stages;
  for (const json& entry : json::parse(stages_json)) {
    backends::StageProgress stage;
    entry.at("name").get_to(stage.name);
    entry.at("workers").get_to(stage.workers);
    entry.at("tasks_done").get_to(stage.tasks_done);
    entry.at("tasks_out").get_to(stage.tasks_out);
    entry.at("items_in").get_to(stage.items_in);
    entry.at("unit_in").get_to(stage.unit_in);
    entry.at("items_out").get_to(stage.items_out);
    entry.at("unit_out").get_to(stage.unit_out);
    entry.at("queue_depth").get_to(stage.queue_depth);
    stages.push_back(std::move(stage));
  }
  return cli::ProgressReporter::format_plain_line(stages, elapsed_s);
}

}  // namespace

void bind_ray_record(nb::module_& m) {
  nb::class_<cli::CompletionLedger>(m, "CompletionLedger",
                                    "The completion markers of a log folder (curate run's).")
      .def(nb::init<std::string, bool>(), nb::arg("markers_dir"), nb::arg("remove_partial") = true)
      .def_prop_ro("previously_completed", &cli::CompletionLedger::previously_completed)
      .def_prop_ro("completed_this_run", &cli::CompletionLedger::completed_this_run)
      .def_prop_ro("skipped", &cli::CompletionLedger::skipped);
  m.def("add_resume_tracking", &add_resume_tracking, nb::arg("stages"), nb::arg("ledger"),
        "Return (stages with the second wrapped and the completion stage appended, "
        "resumable), as `curate run` tracks resume.");
  m.def(
      "prepare_run_log",
      [](const std::string& log_dir, const std::string& document, bool overwrite) {
        const cli::PipelineConfig config = parse_document(document);
        cli::RunLog log(log_dir);
        log.prepare(cli::pipeline_fingerprint(config), json::parse(document), overwrite);
        return std::make_pair(log.markers_dir().string(), cli::pipeline_fingerprint(config));
      },
      nb::arg("log_dir"), nb::arg("document"), nb::arg("overwrite") = false,
      "Get a log folder ready as `curate run` does; return (markers folder, fingerprint).");
  m.def(
      "bad_records_section",
      [](const std::vector<StagePtr>& stages, const std::string& log_dir) {
        return cli::bad_records_json(cli::bad_record_sinks(stages),
                                     cli::RunLog(log_dir).errors_path())
            .dump();
      },
      nb::arg("stages"), nb::arg("log_dir"),
      "Return stats.json's bad_records section (JSON) of the JSONL readers among `stages`, "
      "as `curate run` writes it.");
  m.def(
      "write_run_stats",
      [](const std::string& log_dir, const std::string& record) {
        cli::RunLog(log_dir).write_stats(json::parse(record));
        return cli::RunLog(log_dir).stats_path().string();
      },
      nb::arg("log_dir"), nb::arg("record"), "Write stats.json; return its path.");
  m.def(
      "run_stats_json",
      [](const std::string& stats) {
        return backends::RunStats::from_json(json::parse(stats)).to_json().dump();
      },
      nb::arg("stats"), "Return RunStats JSON completed (documents, throughput) by the engine.");
  m.def(
      "run_stats_table",
      [](const std::string& stats) {
        return backends::RunStats::from_json(json::parse(stats)).to_table();
      },
      nb::arg("stats"), "Return the terminal table of RunStats JSON.");
  m.def("progress_line", &progress_line, nb::arg("stages"), nb::arg("elapsed_s"),
        "Return `curate run`'s plain progress line for StageProgress JSON.");
  m.def("configure_worker_logging", &configure_worker_logging, nb::arg("stage"), nb::arg("worker"),
        nb::arg("node"), nb::arg("level"),
        "Tag every engine log record of this process with stage, worker and node.");
  m.def("configure_chain_logging", &configure_chain_logging, nb::arg("stages"), nb::arg("workers"),
        nb::arg("node"), nb::arg("level"),
        "As configure_worker_logging for an actor running fused stages: one tag per stage, the "
        "first stage's in use; select_worker_logger(k) switches to stage k's.");
  m.def("select_worker_logger", &select_worker_logger, nb::arg("index"),
        "Make the logger of stage `index` of configure_chain_logging the default.");
}

}  // namespace curate::python
