// What curate.backends.ray needs to drive shuffle, LSH and gang stages: which kind a
// built stage is, one route call (one RowBlock per partition, as bytes for the object
// store), one reduce call, and a gang member's setup and finish. The Ray side decides
// where and when each runs; these only call the stage, with the GIL released.
#include "curate/core/row_block.hpp"
#include "curate/core/shuffle_stage.hpp"
#include "curate/core/task_ids.hpp"
#include "curate/python/bindings.hpp"
#include "curate/python/python_gang.hpp"

#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <fmt/format.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <tuple>

namespace nb = nanobind;

namespace curate::python {
namespace {

// Keeps one route call's rows in one block per partition (what the LocalExecutor's
// router does too), so every block is one object in Ray's store.
class BlockRouter final : public ShuffleRouter {
 public:
  BlockRouter(int partitions, std::size_t row_width)
      : blocks_(static_cast<std::size_t>(partitions), RowBlock(row_width)) {}

  void emit(int partition, std::string_view row) override {
    if (partition < 0 || static_cast<std::size_t>(partition) >= blocks_.size()) {
      throw std::out_of_range(
          fmt::format("route emitted partition {} outside [0, {})", partition, blocks_.size()));
    }
    blocks_[static_cast<std::size_t>(partition)].append(row);
  }

  std::vector<RowBlock>& blocks() { return blocks_; }

 private:
  std::vector<RowBlock> blocks_;
};

ShuffleStage& shuffle_of(ProcessingStage& stage) {
  auto* shuffle = dynamic_cast<ShuffleStage*>(&stage);
  if (shuffle == nullptr) {
    throw std::invalid_argument(
        fmt::format("stage '{}' is marked is_shuffle_stage/is_lsh_stage but does not implement "
                    "curate::ShuffleStage (route/reduce)",
                    stage.name()));
  }
  return *shuffle;
}

GangStage* gang_of(ProcessingStage& stage) { return dynamic_cast<GangStage*>(&stage); }

// Give final outputs the ids and history the LocalExecutor gives them: one parent id
// (`<stage>_r<round>_p<partition>`, `<stage>_m<member>`), one record of the call.
void adopt(const ProcessingStage& stage, std::vector<TaskPtr>& outputs, std::string parent_id,
           std::size_t items, std::chrono::duration<double> took) {
  std::erase(outputs, nullptr);
  assign_output_ids({std::move(parent_id)}, outputs);
  StagePerfRecord record;
  record.stage_name = stage.name();
  record.process_time_s = took.count();
  record.input_size = items;
  record.items_processed = items;
  for (const TaskPtr& output : outputs) output->stage_perf().push_back(record);
}

// "shuffle", "gang" or "task", checked as the LocalExecutor's plan checks it.
std::string stage_kind(ProcessingStage& stage) {
  const StageSpec spec = stage.stage_spec();
  const bool shuffle = spec.is_shuffle_stage() || spec.is_lsh_stage();
  if (shuffle && spec.is_raft_actor()) {
    throw std::invalid_argument(fmt::format(
        "stage '{}' is marked both as a shuffle and as a raft actor; pick one", stage.name()));
  }
  if (shuffle) {
    const ShuffleStage& prototype = shuffle_of(stage);
    if (prototype.num_partitions() < 1 || prototype.num_rounds() < 1) {
      throw std::invalid_argument(
          fmt::format("stage '{}' must have at least 1 partition and 1 round, has {} and {}",
                      stage.name(), prototype.num_partitions(), prototype.num_rounds()));
    }
    return "shuffle";
  }
  return spec.is_raft_actor() ? "gang" : "task";
}

// One route call: the serialised block of every partition the input emitted to, None
// for the others.
std::vector<std::optional<nb::bytes>> shuffle_route(ProcessingStage& stage, const TaskPtr& input,
                                                    int round) {
  ShuffleStage& shuffle = shuffle_of(stage);
  std::vector<std::string> serialised(static_cast<std::size_t>(shuffle.num_partitions()));
  {
    nb::gil_scoped_release release;
    BlockRouter router(shuffle.num_partitions(), shuffle.row_width());
    shuffle.route(input, round, router);
    for (std::size_t p = 0; p < serialised.size(); ++p) {
      if (!router.blocks()[p].empty()) serialised[p] = router.blocks()[p].to_bytes();
    }
  }
  std::vector<std::optional<nb::bytes>> out(serialised.size());
  for (std::size_t p = 0; p < serialised.size(); ++p) {
    if (!serialised[p].empty()) out[p] = nb::bytes(serialised[p].data(), serialised[p].size());
  }
  return out;
}

// One reduce call over the partition's blocks, in the order given (input order).
std::vector<TaskPtr> shuffle_reduce(ProcessingStage& stage, int round, int partition,
                                    const std::vector<nb::bytes>& blocks) {
  ShuffleStage& shuffle = shuffle_of(stage);
  std::vector<std::string_view> views;
  views.reserve(blocks.size());
  for (const nb::bytes& block : blocks) views.emplace_back(block.c_str(), block.size());
  nb::gil_scoped_release release;
  std::vector<RowBlock> rows;
  rows.reserve(views.size());
  std::size_t row_count = 0;
  for (std::string_view view : views) {
    rows.push_back(RowBlock::from_bytes(view));
    row_count += rows.back().size();
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<TaskPtr> outputs = shuffle.reduce(round, partition, std::move(rows));
  adopt(stage, outputs, fmt::format("{}_r{}_p{}", stage.name(), round, partition), row_count,
        std::chrono::steady_clock::now() - start);
  return outputs;
}

void gang_setup(ProcessingStage& stage, const std::string& worker_id, int index, int size,
                nb::object barrier, nb::object all_reduce_sum, nb::object all_to_all,
                nb::object abort) {
  WorkerMetadata worker;
  worker.worker_id = worker_id;
  worker.allocation = WorkerAllocation{stage.resources().cpus, stage.resources().gpus, {}};
  worker.gang =
      std::make_shared<PythonGang>(index, size, std::move(barrier), std::move(all_reduce_sum),
                                   std::move(all_to_all), std::move(abort));
  nb::gil_scoped_release release;
  stage.setup(worker);
}

std::vector<TaskPtr> gang_finish(ProcessingStage& stage, int member) {
  GangStage* gang = gang_of(stage);
  if (gang == nullptr) return {};  // a raft actor without an end-of-input step
  nb::gil_scoped_release release;
  const auto start = std::chrono::steady_clock::now();
  std::vector<TaskPtr> outputs = gang->finish();
  adopt(stage, outputs, fmt::format("{}_m{}", stage.name(), member), 0,
        std::chrono::steady_clock::now() - start);
  return outputs;
}

}  // namespace

void bind_ray_stages(nb::module_& m) {
  m.def("stage_kind", &stage_kind, nb::arg("stage"),
        "Return 'shuffle' (is_shuffle_stage/is_lsh_stage), 'gang' (is_raft_actor) or 'task'.");
  m.def(
      "shuffle_shape",
      [](ProcessingStage& stage) {
        const ShuffleStage& shuffle = shuffle_of(stage);
        return std::make_tuple(shuffle.num_partitions(), shuffle.num_rounds(), shuffle.row_width());
      },
      nb::arg("stage"), "Return (num_partitions, num_rounds, row_width) of a shuffle stage.");
  m.def("shuffle_route", &shuffle_route, nb::arg("stage"), nb::arg("task"), nb::arg("round"),
        "Route one input: a list with, per partition, its RowBlock's bytes or None.");
  m.def("shuffle_reduce", &shuffle_reduce, nb::arg("stage"), nb::arg("round"), nb::arg("partition"),
        nb::arg("blocks"),
        "Reduce one partition's blocks (RowBlock bytes, in input order) into tasks.");
  m.def("gang_setup", &gang_setup, nb::arg("stage"), nb::arg("worker_id"), nb::arg("index"),
        nb::arg("size"), nb::arg("barrier"), nb::arg("all_reduce_sum"), nb::arg("all_to_all"),
        nb::arg("abort"),
        "Set up a gang member: its stage's setup gets a Gang calling these callables.");
  m.def("gang_finish", &gang_finish, nb::arg("stage"), nb::arg("member"),
        "Call finish() of a gang member after its last input; return its final outputs.");
}

}  // namespace curate::python
