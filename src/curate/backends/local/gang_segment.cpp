#include "curate/backends/local/segment.hpp"

#include "curate/backends/worker_identity.hpp"
#include "curate/core/shuffle_stage.hpp"

#include <fmt/format.h>

#include <limits>

namespace curate::backends::local {

GangSegment::GangSegment(SegmentContext context) : Segment(std::move(context)) {
  const std::size_t stage = context_.segment->stages.front();
  if (context_.hooks->holds_gang_member && !context_.hooks->holds_gang_member(stage)) {
    bystander_ = true;
    return;
  }
  if (context_.hooks->gang) external_ = context_.hooks->gang(stage);
  if (external_) {
    context_.run->on_cancel([gang = external_](const std::string& reason) { gang->abort(reason); });
    return;
  }
  group_ = LocalGangGroup::create(context_.segment->workers);
  context_.run->on_cancel([group = group_](const std::string& reason) { group->abort(reason); });
}

void GangSegment::run_worker(int worker) {
  if (bystander_) {
    pass_by(worker);
    return;
  }
  std::shared_ptr<curate::Gang> gang = external_ ? external_ : group_->member(worker);
  // The member's index in the whole gang names its final outputs (across processes).
  const int member = gang->index();
  StageInstance instance = make_instance(0, worker, gang);
  {
    WorkerIdentityScope identity(context_.node, instance.metadata());
    try {
      instance.ensure_ready();
      const auto batch_size = static_cast<std::size_t>(instance.stage_plan().stage->batch_size());
      std::vector<Item> buffer;
      std::vector<TaskPtr> tasks;
      std::vector<std::string> keys;
      Ticks mark = now_ticks();
      Ticks idle = 0;
      bool pushed = true;
      while (pushed && pop_batch(worker, buffer, batch_size, tasks, keys, idle, mark)) {
        std::size_t documents = StageInstance::kUnknownDocuments;
        auto outputs = instance.process(std::move(tasks), keys, idle, mark, documents);
        pushed = push_all(worker, outputs, keys);
      }
      auto* gang_stage = dynamic_cast<curate::GangStage*>(&instance.stage());
      if (!context_.run->cancelled() && gang_stage != nullptr) {
        const Ticks start = now_ticks();
        std::vector<TaskPtr> raw;
        try {
          raw = gang_stage->finish();
        } catch (...) {
          instance.rethrow_as_stage_error(fmt::format("in finish of gang member {}", member));
        }
        // Final outputs sort after every streamed one, member by member.
        keys.assign(1, std::string());
        append_order_index(keys[0], std::numeric_limits<std::uint32_t>::max());
        append_order_index(keys[0], static_cast<std::uint32_t>(member));
        auto outputs =
            instance.adopt(std::move(raw), fmt::format("{}_m{}", instance.name(), member), keys, 0,
                           start, now_ticks());
        push_all(worker, outputs, keys);
      }
    } catch (...) {
      context_.run->fail(std::current_exception(), &instance.logger());
    }
  }
  instance.teardown();
  worker_done();
}

void GangSegment::pass_by(int worker) {
  try {
    std::vector<Item> buffer;
    std::vector<TaskPtr> tasks;
    std::vector<std::string> keys;
    Ticks mark = now_ticks();
    Ticks idle = 0;
    if (pop_batch(worker, buffer, 1, tasks, keys, idle, mark)) {
      throw std::logic_error(fmt::format(
          "gang stage '{}' received a task in a process that holds none of its members (the "
          "head node under ignore_head_node): the stage before it must not send any here",
          context_.plan->stages[context_.segment->stages.front()].stage->name()));
    }
  } catch (...) {
    context_.run->fail(std::current_exception());
  }
  worker_done();
}

}  // namespace curate::backends::local
