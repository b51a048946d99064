#include "curate/cli/progress_reporter.hpp"

#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>

#include <algorithm>
#include <iostream>

namespace curate::cli {
namespace {

using backends::format_item_count;
using backends::StageProgress;

double rate(std::uint64_t count, double elapsed_s) {
  return elapsed_s > 0.0 ? static_cast<double>(count) / elapsed_s : 0.0;
}

// Cut a line to the terminal width so that it never wraps: a wrapped line would make
// the cursor moves of the next redraw land on the wrong row.
std::string fit(std::string line, int columns) {
  if (columns > 0 && line.size() >= static_cast<std::size_t>(columns)) {
    line.resize(static_cast<std::size_t>(columns - 1));
  }
  return line;
}

}  // namespace

// Routes log records through the reporter, so they land above the live lines. A logger
// that outlives the reporter (it should not) writes to stderr instead.
class ProgressReporter::Sink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit Sink(ProgressReporter& reporter) : reporter_(&reporter) {}

  void detach() {
    std::lock_guard lock(mutex_);
    reporter_ = nullptr;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    const std::string_view text(formatted.data(), formatted.size());
    if (reporter_ != nullptr) {
      reporter_->print_above(text);
    } else {
      std::cerr << text << std::flush;
    }
  }
  void flush_() override {}

 private:
  ProgressReporter* reporter_;
};

ProgressReporter::ProgressReporter(Source source, std::ostream& out, ProgressOptions options)
    : source_(std::move(source)), out_(out), options_(std::move(options)) {}

ProgressReporter::~ProgressReporter() {
  stop();
  if (sink_) sink_->detach();
}

void ProgressReporter::start() {
  started_ = std::chrono::steady_clock::now();
  if (options_.mode == ProgressMode::Off || thread_.joinable()) return;
  thread_ = std::thread([this] { loop(); });
}

void ProgressReporter::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (options_.mode == ProgressMode::Live) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    draw_live(visible(source_()), elapsed);
  }
}

void ProgressReporter::loop() {
  auto last_plain = std::chrono::steady_clock::now();
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, options_.poll_interval, [this] { return stopping_; })) {
    lock.unlock();
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    if (options_.mode == ProgressMode::Live) {
      draw_live(visible(source_()), elapsed);
    } else if (now - last_plain >= options_.plain_interval) {
      last_plain = now;
      const auto stages = visible(source_());
      if (!stages.empty()) out_ << format_plain_line(stages, elapsed) << std::endl;
    }
    lock.lock();
  }
}

std::vector<StageProgress> ProgressReporter::visible(std::vector<StageProgress> stages) const {
  std::erase_if(stages, [this](const StageProgress& stage) {
    return std::find(options_.hidden_stages.begin(), options_.hidden_stages.end(), stage.name) !=
           options_.hidden_stages.end();
  });
  return stages;
}

void ProgressReporter::draw_live(const std::vector<StageProgress>& stages, double elapsed_s) {
  if (stages.empty()) return;
  std::vector<std::string> lines;
  for (const StageProgress& stage : stages) {
    lines.push_back(fit(format_stage_line(stage, elapsed_s), options_.columns));
  }
  std::lock_guard lock(draw_mutex_);
  frame_ = std::move(lines);
  std::string text = erase_frame();
  text += render_frame();
  out_ << text << std::flush;
}

void ProgressReporter::print_above(std::string_view text) {
  std::lock_guard lock(draw_mutex_);
  std::string out = options_.mode == ProgressMode::Live ? erase_frame() : "";
  out += text;
  if (!out.empty() && out.back() != '\n') out += '\n';
  if (options_.mode == ProgressMode::Live) out += render_frame();
  out_ << out << std::flush;
}

std::shared_ptr<spdlog::sinks::sink> ProgressReporter::make_log_sink() {
  if (!sink_) sink_ = std::make_shared<Sink>(*this);
  return sink_;
}

// Back to the first line of the drawn frame, then clear to the end of the screen.
std::string ProgressReporter::erase_frame() const {
  return lines_drawn_ > 0 ? fmt::format("\x1b[{}F\x1b[J", lines_drawn_) : "";
}

std::string ProgressReporter::render_frame() {
  std::string text;
  for (const std::string& line : frame_) text += line + '\n';
  lines_drawn_ = frame_.size();
  return text;
}

std::string ProgressReporter::format_stage_line(const StageProgress& stage, double elapsed_s) {
  const std::string items = fmt::format("{} > {}", format_item_count(stage.items_in, stage.unit_in),
                                        format_item_count(stage.items_out, stage.unit_out));
  return fmt::format("{:<24} {:>9} tasks {:>26} {:>10.0f} docs/s  queue {:>4}  workers {}",
                     stage.name, stage.tasks_done, items, rate(stage.documents(), elapsed_s),
                     stage.queue_depth, stage.workers);
}

std::string ProgressReporter::format_plain_line(const std::vector<StageProgress>& stages,
                                                double elapsed_s) {
  std::string line = fmt::format("[{:.1f}s]", elapsed_s);
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const StageProgress& stage = stages[i];
    line +=
        fmt::format("{} {}: {} tasks, {} > {} ({:.0f} docs/s), queue {}", i == 0 ? "" : " |",
                    stage.name, stage.tasks_done, format_item_count(stage.items_in, stage.unit_in),
                    format_item_count(stage.items_out, stage.unit_out),
                    rate(stage.documents(), elapsed_s), stage.queue_depth);
  }
  return line;
}

}  // namespace curate::cli
