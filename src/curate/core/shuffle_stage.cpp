#include "curate/core/shuffle_stage.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace curate {

std::vector<TaskPtr> ShuffleStage::process(TaskPtr task) {
  // Reaching here means an executor without shuffle support ran the stage as a plain one,
  // which would silently skip the all-to-all step and give wrong results.
  throw std::logic_error(fmt::format(
      "stage '{}' is a shuffle stage: it runs through route/reduce, not process (task '{}')",
      name(), task ? task->task_id() : std::string()));
}

StageSpec ShuffleStage::ray_stage_spec() const {
  StageSpec spec;
  spec.set(StageSpecKey::IsShuffleStage, true);
  return spec;
}

StageSpec GangStage::ray_stage_spec() const {
  StageSpec spec;
  spec.set(StageSpecKey::IsRaftActor, true);
  spec.set(StageSpecKey::IsActorStage, true);
  return spec;
}

}  // namespace curate
