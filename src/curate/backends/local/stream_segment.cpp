#include "curate/backends/local/segment.hpp"

#include "curate/backends/worker_identity.hpp"

namespace curate::backends::local {

Segment::Segment(SegmentContext context)
    : context_(std::move(context)), remaining_(context_.segment->workers) {}

StageInstance Segment::make_instance(std::size_t i, int worker,
                                     std::shared_ptr<curate::Gang> gang) {
  const std::size_t stage_index = context_.segment->stages[i];
  return StageInstance(context_.plan->stages[stage_index], worker, context_.plan->available_gpus,
                       context_.node, std::move(gang),
                       (*context_.counters[i])[static_cast<std::size_t>(worker)], *context_.run);
}

bool Segment::pop_batch(int worker, std::vector<Item>& buffer, std::size_t batch,
                        std::vector<TaskPtr>& tasks, std::vector<std::string>& keys, Ticks& idle,
                        Ticks& mark) {
  if (context_.run->cancelled()) return false;
  buffer.clear();
  bool waited = false;
  if (context_.input->pop(buffer, batch, &waited, static_cast<std::size_t>(worker)) == 0) {
    return false;
  }
  idle = 0;
  if (waited) {
    const Ticks arrived = now_ticks();
    idle = arrived - mark;
    mark = arrived;
  }
  tasks.clear();
  tasks.reserve(buffer.size());
  keys.resize(buffer.size());
  for (std::size_t i = 0; i < buffer.size(); ++i) {
    tasks.push_back(std::move(buffer[i].task));
    keys[i] = std::move(buffer[i].key);
  }
  return true;
}

bool Segment::push_all(int worker, std::vector<TaskPtr>& tasks, std::vector<std::string>& keys) {
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    if (!context_.output->push(worker, Item{std::move(tasks[i]), std::move(keys[i])})) return false;
  }
  tasks.clear();
  return true;
}

void Segment::worker_done() {
  if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) context_.output->close();
}

void StreamSegment::run_worker(int worker) {
  std::vector<StageInstance> chain;
  const std::size_t length = context_.segment->stages.size();
  chain.reserve(length);
  for (std::size_t i = 0; i < length; ++i) {
    chain.push_back(make_instance(i, worker, nullptr));
    chain.back().set_followers(length - 1 - i);
  }
  const auto batch_size = static_cast<std::size_t>(chain.front().stage_plan().stage->batch_size());
  {
    // A fused worker reports the chain's first stage while processing; each instance's
    // own identity is set while it is cloned, set up and torn down.
    WorkerIdentityScope identity(context_.node, chain.front().metadata());
    try {
      for (auto& instance : chain) instance.ensure_ready();
      std::vector<std::vector<std::string>> keys(length);
      std::vector<Item> buffer;
      std::vector<TaskPtr> tasks;
      Ticks mark = now_ticks();
      Ticks idle = 0;
      while (pop_batch(worker, buffer, batch_size, tasks, keys[0], idle, mark)) {
        if (!run_chain(chain, keys, 0, std::move(tasks), StageInstance::kUnknownDocuments, idle,
                       mark, worker)) {
          break;
        }
      }
    } catch (...) {
      context_.run->fail(std::current_exception(), &chain.front().logger());
    }
  }
  for (auto& instance : chain) instance.teardown();
  worker_done();
}

bool StreamSegment::run_chain(std::vector<StageInstance>& chain,
                              std::vector<std::vector<std::string>>& keys, std::size_t j,
                              std::vector<TaskPtr> tasks, std::size_t documents, Ticks idle,
                              Ticks& mark, int worker) {
  if (tasks.size() == 1 && chain[j].streams_outputs()) {
    // Each output goes on (down the chain, or into the bounded queue, which blocks when
    // full) before the stage makes the next: memory holds one output, not the task's all.
    return chain[j].process_stream(
        std::move(tasks.front()), std::move(keys[j].front()), idle, mark,
        [&](TaskPtr output, std::string key, std::size_t output_documents) {
          auto& next_keys = keys[j + 1 == chain.size() ? j : j + 1];
          next_keys.assign(1, std::move(key));
          std::vector<TaskPtr> single;
          single.push_back(std::move(output));
          if (j + 1 == chain.size()) return push_all(worker, single, next_keys);
          Ticks inner_mark = now_ticks();
          return run_chain(chain, keys, j + 1, std::move(single), output_documents, 0, inner_mark,
                           worker);
        });
  }
  std::vector<TaskPtr> outputs = chain[j].process(std::move(tasks), keys[j], idle, mark, documents);
  if (j + 1 == chain.size()) return push_all(worker, outputs, keys[j]);
  auto& next_keys = keys[j + 1];
  if (outputs.size() == 1) {
    // The common case passes the vector on as it is, like a plain loop would.
    next_keys.resize(1);
    next_keys[0] = std::move(keys[j][0]);
    return run_chain(chain, keys, j + 1, std::move(outputs), documents, 0, mark, worker);
  }
  // Depth first, one task at a time: a fused chain holds at most one batch per stage.
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    next_keys.resize(1);
    next_keys[0] = std::move(keys[j][i]);
    std::vector<TaskPtr> single;
    single.push_back(std::move(outputs[i]));
    if (!run_chain(chain, keys, j + 1, std::move(single), StageInstance::kUnknownDocuments, 0, mark,
                   worker)) {
      return false;
    }
  }
  return true;
}

std::unique_ptr<Segment> make_segment(SegmentContext context) {
  switch (context.segment->kind) {
    case SegmentKind::Shuffle:
      return std::make_unique<ShuffleSegment>(std::move(context));
    case SegmentKind::Gang:
      return std::make_unique<GangSegment>(std::move(context));
    case SegmentKind::Stream:
      break;
  }
  return std::make_unique<StreamSegment>(std::move(context));
}

}  // namespace curate::backends::local
