#include "curate/python/interrupt.hpp"

#include <atomic>

namespace curate::python {
namespace {
std::atomic<bool> g_interrupted{false};
}  // namespace

void set_interrupted(bool value) { g_interrupted.store(value, std::memory_order_relaxed); }

bool interrupted() { return g_interrupted.load(std::memory_order_relaxed); }

void throw_if_interrupted() {
  if (interrupted()) throw RunInterrupted();
}

std::vector<TaskPtr> InterruptCheckStage::process(TaskPtr task) {
  throw_if_interrupted();
  return {std::move(task)};
}

}  // namespace curate::python
