#include "curate/backends/local/segment.hpp"

#include "curate/backends/worker_identity.hpp"
#include "curate/core/shuffle_stage.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace curate::backends::local {
namespace {

using curate::RowBlock;

const curate::ShuffleStage& prototype_of(const SegmentContext& context) {
  // The plan checked the cast; the prototype answers partitions and rounds once.
  return dynamic_cast<const curate::ShuffleStage&>(
      *context.plan->stages[context.segment->stages.front()].stage);
}

// Appends one route call's rows to one block per partition, then hands the blocks over
// tagged with the input's order key, so reducers can restore input order cheaply.
class PartitionRouter final : public curate::ShuffleRouter {
 public:
  PartitionRouter(int partitions, std::size_t row_width)
      : row_width_(row_width),
        blocks_(static_cast<std::size_t>(partitions), RowBlock(row_width)),
        hints_(static_cast<std::size_t>(partitions)) {}

  void emit(int partition, std::string_view row) override {
    if (partition < 0 || static_cast<std::size_t>(partition) >= blocks_.size()) {
      throw std::out_of_range(
          fmt::format("route emitted partition {} outside [0, {})", partition, blocks_.size()));
    }
    auto& block = blocks_[static_cast<std::size_t>(partition)];
    if (block.empty()) {
      touched_.push_back(partition);
      // Inputs of one stage tend to be alike: size the block a little above this
      // partition's last one, so it rarely grows instead of doubling up from nothing.
      const Hint& hint = hints_[static_cast<std::size_t>(partition)];
      block.reserve(hint.rows + hint.rows / 4, hint.bytes + hint.bytes / 4);
    }
    block.append(row);
  }

  template <typename Chunk>
  void flush(const std::string& key, std::vector<std::vector<Chunk>>& by_partition) {
    for (int partition : touched_) {
      auto& block = blocks_[static_cast<std::size_t>(partition)];
      hints_[static_cast<std::size_t>(partition)] = Hint{block.size(), block.payload_bytes()};
      by_partition[static_cast<std::size_t>(partition)].push_back(Chunk{key, std::move(block)});
      block = RowBlock(row_width_);
    }
    touched_.clear();
  }

 private:
  struct Hint {
    std::size_t rows = 0;
    std::size_t bytes = 0;
  };
  std::size_t row_width_;
  std::vector<RowBlock> blocks_;
  std::vector<Hint> hints_;  // size of each partition's last flushed block
  std::vector<int> touched_;
};

}  // namespace

ShuffleSegment::ShuffleSegment(SegmentContext context)
    : Segment(std::move(context)),
      partitions_(prototype_of(context_).num_partitions()),
      rounds_(prototype_of(context_).num_rounds()),
      row_width_(prototype_of(context_).row_width()),
      barrier_(context_.segment->workers),
      routed_(static_cast<std::size_t>(context_.segment->workers)),
      next_partition_(new std::atomic<int>[static_cast<std::size_t>(rounds_)]) {
  for (auto& partitions : routed_) partitions.resize(static_cast<std::size_t>(partitions_));
  for (int round = 0; round < rounds_; ++round) next_partition_[round].store(0);
  if (context_.hooks->shuffle_exchange) {
    exchange_ = context_.hooks->shuffle_exchange(context_.segment->stages.front());
  }
  context_.run->on_cancel([this](const std::string& reason) { barrier_.cancel(reason); });
}

void ShuffleSegment::run_worker(int worker) {
  StageInstance instance = make_instance(0, worker, nullptr);
  {
    WorkerIdentityScope identity(context_.node, instance.metadata());
    try {
      instance.ensure_ready();
      std::vector<Item> kept;  // inputs to route again in later rounds
      for (int round = 0; round < rounds_ && !context_.run->cancelled(); ++round) {
        route_round(instance, worker, round, kept);
        barrier_.arrive_and_wait();  // every worker routed every input of this round
        if (exchange_) {
          // One worker moves the round's rows to and from the other processes.
          if (worker == 0) exchange_->exchange(round, routed_);
          barrier_.arrive_and_wait();
        }
        reduce_round(instance, worker, round);
        barrier_.arrive_and_wait();  // nobody reads this round's buffers any more
        for (auto& chunks : routed_[static_cast<std::size_t>(worker)]) chunks = {};
      }
    } catch (...) {
      context_.run->fail(std::current_exception(), &instance.logger());
    }
  }
  instance.teardown();
  worker_done();
}

void ShuffleSegment::route_round(StageInstance& instance, int worker, int round,
                                 std::vector<Item>& kept) {
  auto& stage = dynamic_cast<curate::ShuffleStage&>(instance.stage());
  auto& routed = routed_[static_cast<std::size_t>(worker)];
  PartitionRouter router(partitions_, row_width_);
  const auto route = [&](const TaskPtr& task, const std::string& key, Ticks idle) {
    const Ticks start = now_ticks();
    try {
      stage.route(task, round, router);
    } catch (...) {
      instance.rethrow_as_stage_error(
          fmt::format("on task '{}' (route, round {})", task->task_id(), round));
    }
    router.flush(key, routed);
    // Rounds after the first re-route the same inputs: count them once.
    if (round == 0) {
      instance.count_call(1, task->num_items(), idle, start, now_ticks(), task->item_unit());
    }
  };
  if (round > 0) {
    for (const auto& item : kept) route(item.task, item.key, 0);
    if (round + 1 == rounds_) kept = {};
    return;
  }
  const auto batch_size = static_cast<std::size_t>(stage.batch_size());
  std::vector<Item> buffer;
  std::vector<TaskPtr> tasks;
  std::vector<std::string> keys;
  Ticks mark = now_ticks();
  Ticks idle = 0;
  while (pop_batch(worker, buffer, batch_size, tasks, keys, idle, mark)) {
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      route(tasks[i], keys[i], i == 0 ? idle : 0);
      if (rounds_ > 1) kept.push_back(Item{std::move(tasks[i]), std::move(keys[i])});
    }
    mark = now_ticks();
  }
}

void ShuffleSegment::reduce_round(StageInstance& instance, int worker, int round) {
  auto& stage = dynamic_cast<curate::ShuffleStage&>(instance.stage());
  std::vector<Chunk*> chunks;
  std::vector<std::string> keys;
  for (int partition = next_partition_[round].fetch_add(1); partition < partitions_;
       partition = next_partition_[round].fetch_add(1)) {
    if (context_.run->cancelled()) return;
    if (exchange_ && !exchange_->reduces(partition)) continue;
    // Only this worker reduces `partition`, so it may move rows out of every worker's
    // buffer for it; the barrier before the reduce published them.
    chunks.clear();
    for (auto& routed : routed_) {
      for (auto& chunk : routed[static_cast<std::size_t>(partition)]) chunks.push_back(&chunk);
    }
    if (chunks.empty()) continue;
    std::sort(chunks.begin(), chunks.end(),
              [](const Chunk* a, const Chunk* b) { return a->key < b->key; });
    std::vector<RowBlock> blocks;
    blocks.reserve(chunks.size());
    std::size_t row_count = 0;
    for (Chunk* chunk : chunks) {
      row_count += chunk->rows.size();
      blocks.push_back(std::move(chunk->rows));
    }
    const Ticks start = now_ticks();
    std::vector<TaskPtr> raw;
    try {
      raw = stage.reduce(round, partition, std::move(blocks));
    } catch (...) {
      instance.rethrow_as_stage_error(
          fmt::format("in reduce of partition {} (round {})", partition, round));
    }
    keys.assign(1, std::string());
    append_order_index(keys[0], static_cast<std::uint32_t>(round));
    append_order_index(keys[0], static_cast<std::uint32_t>(partition));
    auto outputs =
        instance.adopt(std::move(raw), fmt::format("{}_r{}_p{}", instance.name(), round, partition),
                       keys, row_count, start, now_ticks());
    if (!push_all(worker, outputs, keys)) return;
  }
}

}  // namespace curate::backends::local
