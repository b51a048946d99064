#pragma once

#include "curate/backends/run_stats.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

namespace spdlog::sinks {
class sink;
}

namespace curate::cli {

/// How a run shows its progress.
enum class ProgressMode {
  Off,    ///< nothing (`--quiet`)
  Live,   ///< one line per stage, redrawn in place with ANSI cursor moves (a terminal)
  Plain,  ///< one summary line every `plain_interval` (logs, pipes, CI)
};

/// How a ProgressReporter polls and draws.
struct ProgressOptions {
  ProgressMode mode = ProgressMode::Plain;           ///< how to show progress
  std::chrono::milliseconds poll_interval{200};      ///< how often the source is polled
  std::chrono::milliseconds plain_interval{10'000};  ///< time between Plain lines
  int columns = 0;                         ///< terminal width to cut live lines at; 0: no cut
  std::vector<std::string> hidden_stages;  ///< stages not shown (the CLI's own)
};

/// Show a run's progress from a thread of its own: every `poll_interval` it calls
/// `source` (the executor's progress API, which must be callable from any thread) and
/// redraws (Live) or, every `plain_interval`, prints one line (Plain). `start` and `stop`
/// are called by the driver thread, once each; the destructor stops.
class ProgressReporter {
 public:
  using Source = std::function<std::vector<backends::StageProgress>()>;

  /// Draw what `source` returns on `out` (stderr); nothing happens before `start`.
  ProgressReporter(Source source, std::ostream& out, ProgressOptions options);
  /// Stop (see `stop`).
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  /// Start polling (no-op in Off mode).
  void start();
  /// Stop polling and, in Live mode, draw the final state once more. Idempotent.
  void stop();

  /// Write `text` (whole lines) to the output above the live lines, which are redrawn
  /// below it, so log records and progress do not garble each other. Thread-safe.
  void print_above(std::string_view text);
  /// Return a spdlog sink that writes records through `print_above` while this reporter
  /// lives, and straight to stderr after. Called at most once, before `start`.
  std::shared_ptr<spdlog::sinks::sink> make_log_sink();

  /// Return one stage's live line: name, tasks done, items in > out with their units,
  /// documents/s over `elapsed_s`, queue depth and workers. Pure.
  static std::string format_stage_line(const backends::StageProgress& stage, double elapsed_s);
  /// Return the Plain mode line for all stages: "[12.0s] read: 3 tasks, 3 files > 1200
  /// docs (100 docs/s), queue 0 | ...". Pure.
  static std::string format_plain_line(const std::vector<backends::StageProgress>& stages,
                                       double elapsed_s);

 private:
  void loop();
  std::vector<backends::StageProgress> visible(std::vector<backends::StageProgress> stages) const;
  void draw_live(const std::vector<backends::StageProgress>& stages, double elapsed_s);
  std::string erase_frame() const;  // call with draw_mutex_ held
  std::string render_frame();       // call with draw_mutex_ held

  class Sink;

  Source source_;
  std::shared_ptr<Sink> sink_;
  std::ostream& out_;
  ProgressOptions options_;
  std::chrono::steady_clock::time_point started_;
  std::mutex draw_mutex_;  // guards the output, frame_ and lines_drawn_
  std::vector<std::string> frame_;
  std::size_t lines_drawn_ = 0;
  std::mutex mutex_;  // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace curate::cli
