// What curate.backends.ray needs from the engine, kept thin: a pipeline document built into
// its stages (each Ray actor rebuilds its own from the document it is given, so work
// crosses processes as a description, never a closure), the life-cycle calls on one stage,
// and tasks as bytes for Ray's object store.
#include "curate/backends/run_stats.hpp"
#include "curate/cli/pipeline_builder.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/core/processing_stage.hpp"
#include "curate/core/task.hpp"
#include "curate/core/task_ids.hpp"
#include "curate/python/bindings.hpp"
#include "curate/python/stage_factory.hpp"

#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <stdexcept>
#include <string_view>

namespace nb = nanobind;

namespace curate::python {
namespace {

// The first byte of a serialised task says what follows: a DocumentBatch's own bytes, or
// the JSON of a task that holds only names (files, nothing).
constexpr char kBatchTag = 'B';
constexpr char kJsonTag = 'J';

nb::bytes task_to_bytes(const TaskPtr& task) {
  std::string out;
  if (const auto* batch = dynamic_cast<const DocumentBatch*>(task.get())) {
    out.push_back(kBatchTag);
    batch->append_bytes(out);
  } else {
    nlohmann::json described = {{"type", task->type_name()},
                                {"task_id", task->task_id()},
                                {"dataset_name", task->dataset_name()},
                                {"metadata", task->metadata()}};
    if (const auto* group = dynamic_cast<const FileGroupTask*>(task.get())) {
      described["files"] = group->files();
      described["file_ordinals"] = group->file_ordinals();
    } else if (dynamic_cast<const EmptyTask*>(task.get()) == nullptr) {
      throw std::invalid_argument(fmt::format(
          "a {} cannot cross to another Ray worker yet: only DocumentBatch, FileGroupTask "
          "and EmptyTask can; run this pipeline with the LocalExecutor",
          task->type_name()));
    }
    out = kJsonTag + described.dump();
  }
  return nb::bytes(out.data(), out.size());
}

// Read a serialised task from any buffer: bytes, or the read-only NumPy view of Ray's
// shared memory that an out-of-band buffer arrives as (no copy before the parse).
TaskPtr task_from_bytes(nb::handle data) {
  Py_buffer view;
  if (PyObject_GetBuffer(data.ptr(), &view, PyBUF_SIMPLE) != 0) throw nb::python_error();
  struct Release {
    Py_buffer* view;
    ~Release() { PyBuffer_Release(view); }
  } release{&view};
  const std::string_view bytes(static_cast<const char*>(view.buf),
                               static_cast<std::size_t>(view.len));
  nb::gil_scoped_release unlocked;
  if (bytes.empty()) throw std::runtime_error("an empty serialised task");
  if (bytes.front() == kBatchTag) return DocumentBatch::from_bytes(bytes.substr(1));
  if (bytes.front() != kJsonTag) throw std::runtime_error("not a serialised curate task");
  const nlohmann::json described = nlohmann::json::parse(bytes.substr(1));
  TaskPtr task;
  if (described.at("type") == "FileGroupTask") {
    task = std::make_shared<FileGroupTask>(
        described.at("task_id").get<std::string>(), described.at("dataset_name").get<std::string>(),
        described.at("files").get<std::vector<std::string>>(),
        described.at("file_ordinals").get<std::vector<std::uint64_t>>());
  } else {
    task = std::make_shared<EmptyTask>(described.at("task_id").get<std::string>(),
                                       described.at("dataset_name").get<std::string>());
  }
  task->metadata() = described.at("metadata");
  return task;
}

// Build the document as Pipeline.run does (composites expanded, stages checked) and return
// its stages. Python stages are PythonStage over the objects of `python_stages`.
std::vector<StagePtr> build_stages(const std::string& document, nb::list python_stages) {
  const cli::PipelineConfig config = parse_document(document);
  const StageRegistry registry = make_registry(python_stages);
  return cli::build_pipeline(config, registry).build();
}

// What one Ray actor's stage did since the driver last asked: the counters of
// backends::StageStats that calls add up (the driver sums them over actors and calls).
struct StageCounters {
  std::uint64_t calls = 0;
  std::uint64_t tasks_in = 0;
  std::uint64_t tasks_out = 0;
  std::uint64_t items_in = 0;
  std::uint64_t items_out = 0;
  const char* unit_in = nullptr;  // unit literals of Task::item_unit, or null for none yet
  const char* unit_out = nullptr;
  std::map<std::string, std::uint64_t> dropped_by_reason;
  double process_time_s = 0.0;
};

// Move the `dropped_by_reason` metadata a filter set into `counters`, as the local
// executor does, so each drop is counted once, by the stage that made it.
void take_dropped(Task& task, StageCounters* counters) {
  auto& metadata = task.metadata();
  if (!metadata.is_object()) return;
  const auto dropped = metadata.find(backends::kDroppedByReasonKey);
  if (dropped == metadata.end()) return;
  if (counters != nullptr && dropped->is_object()) {
    for (const auto& [reason, n] : dropped->items()) {
      if (n.is_number_integer() && n.get<std::int64_t>() > 0) {
        counters->dropped_by_reason[reason] += n.get<std::uint64_t>();
      }
    }
  }
  metadata.erase(dropped);
}

// What one call of a stage took in and gave out, as StageCounters add it up.
struct CallTally {
  std::uint64_t tasks_in = 0;
  std::uint64_t tasks_out = 0;
  std::uint64_t items_in = 0;
  std::uint64_t items_out = 0;
  const char* unit_in = nullptr;
  const char* unit_out = nullptr;
};

// Return the perf record every output of a call over `items_in` items gets.
StagePerfRecord perf_record(const ProcessingStage& stage, double seconds, std::size_t items_in) {
  StagePerfRecord record;
  record.stage_name = stage.name();
  record.process_time_s = seconds;
  record.input_size = items_in;
  record.items_processed = items_in;
  return record;
}

// Adopt one output of a call: its history gains `record`, the drops a filter noted on it
// go to `counters` (when given), and it is counted in `tally`.
void adopt_output(Task& output, const StagePerfRecord& record, StageCounters* counters,
                  CallTally& tally) {
  take_dropped(output, counters);
  output.stage_perf().push_back(record);
  ++tally.tasks_out;
  tally.items_out += output.num_items();
  tally.unit_out = merge_item_unit(tally.unit_out, output.item_unit());
}

// Count one call that took `seconds` into `counters`, when given.
void count_call(StageCounters* counters, const CallTally& tally, double seconds) {
  if (counters == nullptr) return;
  ++counters->calls;
  counters->tasks_in += tally.tasks_in;
  counters->tasks_out += tally.tasks_out;
  counters->items_in += tally.items_in;
  counters->items_out += tally.items_out;
  counters->unit_in = merge_item_unit(counters->unit_in, tally.unit_in);
  counters->unit_out = merge_item_unit(counters->unit_out, tally.unit_out);
  counters->process_time_s += seconds;
}

// Call `process_batch` as the local executor's stage adapter does: outputs without an id get
// one derived from their inputs, each output's history gains this call's record, and the
// call is counted into `counters` when given.
std::vector<TaskPtr> process_batch(ProcessingStage& stage, std::vector<TaskPtr> tasks,
                                   StageCounters* counters) {
  std::vector<std::string> input_ids;
  CallTally tally;
  input_ids.reserve(tasks.size());
  for (const TaskPtr& task : tasks) {
    input_ids.push_back(task->task_id());
    tally.items_in += task->num_items();
    tally.unit_in = merge_item_unit(tally.unit_in, task->item_unit());
  }
  tally.tasks_in = tasks.size();
  const auto start = std::chrono::steady_clock::now();
  std::vector<TaskPtr> outputs = stage.process_batch(std::move(tasks));
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  std::erase(outputs, nullptr);
  assign_output_ids(input_ids, outputs);
  const StagePerfRecord record = perf_record(stage, took.count(), tally.items_in);
  for (const TaskPtr& output : outputs) adopt_output(*output, record, counters, tally);
  count_call(counters, tally, took.count());
  return outputs;
}

// Call `process_stream` on one task as the local executor drives a streaming stage down a
// fused chain: each output is adopted as `process_batch` adopts them (its id derived from
// the input's, "<id>_<n>" unless it is the only output; this call's perf record; its drops
// taken into `counters`) and handed to `emit(task, index, alone)` as soon as the next one
// shows whether it is alone, so at most one output is held. The stage runs without the GIL,
// `emit` with it; an error `emit` raises stops the stage and is raised here. The call is
// counted into `counters` (its time less the time spent in `emit`).
void process_stream(ProcessingStage& stage, TaskPtr task, const nb::callable& emit,
                    StageCounters* counters) {
  using Clock = std::chrono::steady_clock;
  const std::string input_id = task->task_id();
  CallTally tally;
  tally.tasks_in = 1;
  tally.items_in = task->num_items();
  tally.unit_in = task->item_unit();
  const auto start = Clock::now();
  Clock::duration downstream{};
  std::size_t produced = 0;
  TaskPtr held;  // the first output, until a second one shows it is not alone
  std::exception_ptr emit_error;
  const auto own_time = [&] {
    return std::chrono::duration<double>(Clock::now() - start - downstream).count();
  };
  const auto forward = [&](TaskPtr output, std::size_t index, bool alone) {
    if (output->task_id().empty()) {
      output->set_task_id(alone ? input_id : fmt::format("{}_{}", input_id, index));
    }
    adopt_output(*output, perf_record(stage, own_time(), tally.items_in), counters, tally);
    const auto before = Clock::now();
    bool more = false;
    try {
      nb::gil_scoped_acquire gil;
      more = nb::cast<bool>(emit(std::move(output), index, alone));
    } catch (...) {
      emit_error = std::current_exception();
    }
    downstream += Clock::now() - before;
    return more && !emit_error;
  };
  const ProcessingStage::OutputSink sink = [&](TaskPtr output) {
    if (output == nullptr) return true;
    if (++produced == 1) {
      held = std::move(output);
      return true;
    }
    if (held && !forward(std::move(held), 0, false)) return false;
    return forward(std::move(output), produced - 1, false);
  };
  {
    nb::gil_scoped_release release;
    stage.process_stream(std::move(task), sink);
  }
  if (emit_error) std::rethrow_exception(emit_error);
  if (held) forward(std::move(held), 0, true);
  if (emit_error) std::rethrow_exception(emit_error);
  count_call(counters, tally, own_time());
}

// Return the counters as a dict for the driver and start again from zero.
nb::dict take_counters(StageCounters& counters) {
  nb::dict out;
  out["calls"] = counters.calls;
  out["tasks_in"] = counters.tasks_in;
  out["tasks_out"] = counters.tasks_out;
  out["items_in"] = counters.items_in;
  out["items_out"] = counters.items_out;
  out["unit_in"] = std::string(counters.unit_in != nullptr ? counters.unit_in : "");
  out["unit_out"] = std::string(counters.unit_out != nullptr ? counters.unit_out : "");
  nb::dict dropped;
  for (const auto& [reason, n] : counters.dropped_by_reason) dropped[reason.c_str()] = n;
  out["dropped_by_reason"] = dropped;
  out["process_time_s"] = counters.process_time_s;
  counters = StageCounters{};
  return out;
}

WorkerMetadata worker_metadata(const std::string& worker_id, double cpus, double gpus) {
  WorkerMetadata worker;
  worker.worker_id = worker_id;
  if (!worker_id.empty()) worker.allocation = WorkerAllocation{cpus, gpus, {}};
  return worker;
}

}  // namespace

void bind_ray(nb::module_& m) {
  nb::class_<StageCounters>(m, "StageCounters",
                            "What one actor's stage did since `take` was last called.")
      .def(nb::init<>())
      .def("take", &take_counters,
           "Return the counters (calls, tasks/items in and out with units, drops, process "
           "time) as a dict and reset them.");
  nb::class_<ProcessingStage> native_stage(
      m, "NativeStage", "One built engine stage, driven by a Ray actor (one thread).");
  add_stage_description_methods(native_stage);
  native_stage.def_prop_ro("name", &ProcessingStage::name)
      .def_prop_ro("batch_size", &ProcessingStage::batch_size)
      .def_prop_ro("num_workers", &ProcessingStage::num_workers)
      .def_prop_ro("cpus", [](const ProcessingStage& stage) { return stage.resources().cpus; })
      .def_prop_ro("gpus", [](const ProcessingStage& stage) { return stage.resources().gpus; })
      .def("spec_json",
           [](const ProcessingStage& stage) { return stage.stage_spec().to_json().dump(); })
      .def(
          "setup_on_node",
          [](ProcessingStage& stage, const std::string& node_id) {
            nb::gil_scoped_release release;
            stage.setup_on_node(NodeInfo{node_id}, WorkerMetadata{});
          },
          nb::arg("node_id"))
      .def(
          "setup",
          [](ProcessingStage& stage, const std::string& worker_id) {
            nb::gil_scoped_release release;
            stage.setup(worker_metadata(worker_id, stage.resources().cpus, stage.resources().gpus));
          },
          nb::arg("worker_id"))
      .def(
          "process_batch",
          [](ProcessingStage& stage, std::vector<TaskPtr> tasks, StageCounters* counters) {
            nb::gil_scoped_release release;
            return process_batch(stage, std::move(tasks), counters);
          },
          nb::arg("tasks"), nb::arg("counters") = nb::none())
      .def_prop_ro("streams_outputs", &ProcessingStage::streams_outputs)
      .def_prop_ro("sets_up_nodes", &ProcessingStage::sets_up_nodes,
                   "False when the stage's setup_on_node is the default, which does nothing.")
      .def("process_stream", &process_stream, nb::arg("task"), nb::arg("emit"),
           nb::arg("counters") = nb::none(),
           "Process one task, calling emit(output, index, alone) for each output as it is "
           "made (a reader's batches one by one); emit returns False to stop early.")
      .def("teardown", [](ProcessingStage& stage) {
        nb::gil_scoped_release release;
        stage.teardown();
      });
  m.def("build_stages", &build_stages, nb::arg("document"), nb::arg("python_stages"),
        "Build a pipeline document into its stages (composites expanded).");
  m.def("task_to_bytes", &task_to_bytes, nb::arg("task"),
        "Serialise a DocumentBatch, FileGroupTask or EmptyTask for another process.");
  m.def("task_from_bytes", &task_from_bytes, nb::arg("data"),
        "Inverse of task_to_bytes; takes bytes or any contiguous buffer.");
  bind_ray_stages(m);
}

}  // namespace curate::python
