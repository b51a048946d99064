#include "test_stages.hpp"

#include <stdexcept>

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
}

}  // namespace curate::cli::testing
