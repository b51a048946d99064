#pragma once

#include "curate/core/resources.hpp"
#include "curate/core/stage_description.hpp"
#include "curate/core/stage_spec.hpp"
#include "curate/core/task.hpp"
#include "curate/core/worker_context.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace curate {

/// Declare what a stage reads or writes: DocumentBatch columns by name. `any_columns`
/// marks a stage whose output columns depend on the data (a reader keeps every field).
struct StageIO {
  std::vector<std::string> columns;
  bool any_columns = false;
};

/// Overrides applied by `with_`; unset fields keep the stage's own values. The stage
/// spec overlays the stage's spec key by key (user keys win).
struct StageOverrides {
  std::optional<std::string> name;
  std::optional<Resources> resources;
  std::optional<int> batch_size;
  std::optional<StageSpec> stage_spec;
  std::optional<int> num_workers;
};

/// One step of a pipeline. An executor clones the stage into worker instances; each
/// instance is used by one thread at a time. Life cycle, driven by the executor:
/// `setup_on_node` once per (stage, node) on a prototype, `setup` once per instance,
/// `process_batch` many times, `teardown` once per instance, also when the run fails.
class ProcessingStage {
 public:
  virtual ~ProcessingStage() = default;

  const std::string& name() const { return name_; }
  const Resources& resources() const { return resources_; }
  /// Return how many tasks one `process_batch` call receives (at least 1).
  int batch_size() const { return batch_size_; }
  /// Return the requested number of worker instances, if the stage fixes one.
  std::optional<int> num_workers() const { return num_workers_; }

  /// Return the columns this stage needs from upstream; checked by `Pipeline::build`
  /// and, for every input batch, by the default `process_batch`.
  virtual StageIO inputs() const { return {}; }
  /// Return the columns this stage adds.
  virtual StageIO outputs() const { return {}; }

  /// Process one task and return its outputs: none drops it, several fan it out.
  /// Called by one thread at a time per instance.
  virtual std::vector<TaskPtr> process(TaskPtr task) = 0;
  /// Process up to `batch_size()` tasks at once. The default validates each input
  /// against `inputs()` and calls `process` on each, concatenating the outputs.
  virtual std::vector<TaskPtr> process_batch(std::vector<TaskPtr> tasks);

  /// Receives the outputs of `process_stream` one at a time. Returns false when the
  /// executor wants no more (the run is stopping); the stage should then return soon.
  using OutputSink = std::function<bool(TaskPtr)>;
  /// Return true when the stage makes a task's outputs one at a time through
  /// `process_stream` (a reader's batches), so an executor can send each one on before
  /// the next is made: memory then holds one output of the task, not all of them.
  virtual bool streams_outputs() const { return false; }
  /// Process one task, handing each output to `emit`, in order, as soon as it is made;
  /// stop early when `emit` returns false. The outputs, their order and their ids are
  /// those `process` returns. The default validates the input, calls `process` and
  /// emits what it returns.
  virtual void process_stream(TaskPtr task, const OutputSink& emit);

  /// Prepare a node (download, warm a cache) once per (stage, node), before any worker
  /// instance exists on it; may run concurrently with other stages' node setup.
  virtual void setup_on_node(const NodeInfo& node, const WorkerMetadata& worker);
  /// Return false when `setup_on_node` is the default, which does nothing: executors
  /// then skip the stage's node setup (on Ray it costs a task, and often a new worker
  /// process, per node). `CloneableStage` answers from the stage's type; this default
  /// says true, for stages that cannot tell (wrappers forward their inner stage's).
  virtual bool sets_up_nodes() const { return true; }
  /// Prepare one worker instance (load a model, open files); once per instance.
  virtual void setup(const WorkerMetadata& worker);
  /// Release what `setup` took; called once per instance, also after a failure.
  virtual void teardown();

  /// Return the stage's own execution spec (actor, fan-out, shuffle...). Override in
  /// stages with such needs; the default is empty: a stateless task stage.
  virtual StageSpec ray_stage_spec() const { return {}; }
  /// Return the effective spec: `ray_stage_spec()` overlaid with `with_` overrides.
  StageSpec stage_spec() const;

  /// Return a copy of this stage with `overrides` applied (the original is unchanged).
  /// Throws std::invalid_argument for an invalid batch size, worker count or resources.
  std::shared_ptr<ProcessingStage> with_(const StageOverrides& overrides) const;
  /// Return an independent copy: the prototype an executor clones into workers.
  virtual std::shared_ptr<ProcessingStage> clone() const = 0;

  /// Throw std::invalid_argument naming this stage when `task` lacks an input column.
  void validate_input(const Task& task) const;

  /// Return the registry name, parameters and payload that build this stage's class
  /// again in another process (see StageDescription for the executor's contract). Stages
  /// made by `StageRegistry::create` (pipeline YAML) return their registry name and
  /// parameters without overriding this; stages built in code override it. The default
  /// otherwise throws StageNotDescribable. Called on the driver, any thread, any time.
  virtual StageRecipe recipe() const;
  /// Return `recipe()` plus the fields `with_` overrides: everything
  /// `StageRegistry::rebuild` needs. Throws StageNotDescribable naming the stage.
  StageDescription describe() const;

  /// Return the counters this stage (and every instance sharing its counters: clones
  /// made by an executor) has counted, as a JSON object; empty for a stage whose results
  /// travel in its output tasks only. An instance rebuilt from a description starts at
  /// zero, so an executor sends a worker's `counters()` back at its teardown and the
  /// driver merges it into the stage it described. Thread-safe.
  virtual nlohmann::json counters() const;
  /// Add `counters` (what `counters()` of an instance of the same stage returned) into
  /// this stage's counters: sums, or a maximum where the counter is one. Called by an
  /// executor on the driver's stage, once per worker instance, concurrently with
  /// nothing but other `merge_counters` calls. The default accepts only an empty object;
  /// throws std::invalid_argument naming the stage for counters it does not know.
  virtual void merge_counters(const nlohmann::json& counters);

 protected:
  explicit ProcessingStage(std::string name, Resources resources = {}, int batch_size = 1);
  ProcessingStage(const ProcessingStage&) = default;
  ProcessingStage& operator=(const ProcessingStage&) = default;

  void set_name(std::string name) { name_ = std::move(name); }
  void set_resources(Resources resources);
  void set_batch_size(int batch_size);
  void set_num_workers(std::optional<int> num_workers);

 private:
  friend class StageRegistry;  // attaches recipes and restores the described fields
  void apply(const StageOverrides& overrides);

  std::string name_;
  Resources resources_;
  int batch_size_ = 1;
  std::optional<int> num_workers_;
  StageSpec spec_overrides_;
  // Set by StageRegistry::create: the registry name and parameters this stage came from.
  std::shared_ptr<const StageRecipe> registry_recipe_;
};

using StagePtr = std::shared_ptr<ProcessingStage>;

/// Implement `clone()` for a stage type through its copy constructor, and
/// `sets_up_nodes()` from whether the type declares its own `setup_on_node`:
/// `class MyStage : public CloneableStage<MyStage> { ... };`
template <typename Derived, typename Base = ProcessingStage>
class CloneableStage : public Base {
 public:
  using Base::Base;
  std::shared_ptr<ProcessingStage> clone() const override {
    return std::make_shared<Derived>(static_cast<const Derived&>(*this));
  }
  bool sets_up_nodes() const override {
    // `&Derived::setup_on_node` has ProcessingStage's type unless Derived, or a class
    // between the two, overrides it: then the node setup may do something.
    return !std::is_same_v<decltype(&Derived::setup_on_node),
                           void (ProcessingStage::*)(const NodeInfo&, const WorkerMetadata&)>;
  }
};

}  // namespace curate
