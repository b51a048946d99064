#include "test_stages.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

namespace curate::cli::testing {
namespace {

std::atomic<bool> g_armed{false};
std::atomic<int> g_passed{0};

class AbortAfterStage final : public CloneableStage<AbortAfterStage> {
 public:
  explicit AbortAfterStage(int tasks) : CloneableStage("abort_after"), tasks_(tasks) {}

  std::vector<TaskPtr> process(TaskPtr task) override {
    if (g_armed.load() && g_passed.fetch_add(1) >= tasks_) {
      throw std::runtime_error("aborted on purpose after " + std::to_string(tasks_) + " tasks");
    }
    return {std::move(task)};
  }

 private:
  int tasks_;
};

std::atomic<int> g_slow_calls{0};

void append_line(const std::filesystem::path& file, const std::string& line) {
  std::ofstream(file, std::ios::app) << line << '\n';
}

class SlowAfterStage final : public CloneableStage<SlowAfterStage> {
 public:
  SlowAfterStage(std::string dir, int pass, int sleep_ms)
      : CloneableStage("slow_after"), dir_(std::move(dir)), pass_(pass), sleep_ms_(sleep_ms) {}

  void setup(const WorkerMetadata& worker) override {
    append_line(dir_ / "setup.log", worker.worker_id);
  }
  void teardown() override { append_line(dir_ / "teardown.log", "teardown"); }

  std::vector<TaskPtr> process(TaskPtr task) override {
    if (g_slow_calls.fetch_add(1) >= pass_) {
      if (!std::filesystem::exists(dir_ / "reached")) append_line(dir_ / "reached", "reached");
      std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms_));
    }
    return {std::move(task)};
  }

 private:
  std::filesystem::path dir_;
  int pass_;
  int sleep_ms_;
};

}  // namespace

void arm_abort(bool armed) {
  g_passed = 0;
  g_armed = armed;
}

void register_test_stages(StageRegistry& registry) {
  registry.add(
      StageRegistration{"abort_after",
                        "Pass tasks through; throw after `tasks` tasks while armed (tests)",
                        {{"tasks", 1, "tasks to let through"}},
                        [](StageParams& params) -> StagePtr {
                          return std::make_shared<AbortAfterStage>(params.get<int>("tasks", 1));
                        }});
  registry.add(StageRegistration{
      "slow_after",
      "Pass `pass` tasks at once, then mark <dir>/reached and sleep per task; log setup and "
      "teardown under `dir` (tests)",
      {{"dir", nlohmann::json(), "folder for the marker files"},
       {"pass", 0, "tasks to let through at once"},
       {"sleep_ms", 100, "milliseconds to sleep for each later task"}},
      [](StageParams& params) -> StagePtr {
        return std::make_shared<SlowAfterStage>(params.require<std::string>("dir"),
                                                params.get<int>("pass", 0),
                                                params.get<int>("sleep_ms", 100));
      }});
}

}  // namespace curate::cli::testing
