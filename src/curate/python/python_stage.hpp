#pragma once

#include "curate/core/processing_stage.hpp"

#include <nanobind/nanobind.h>

#include <memory>

namespace curate::python {

/// A stage written in Python (a `curate.stages.base.ProcessingStage` subclass) as the
/// C++ executor sees it. Every call into Python holds the GIL for that call only; the
/// module `curate._bridge` does the Python side (wrapping tasks, calling the stage's
/// methods), so this class only moves calls and tasks across. Worker instances are deep
/// copies of the Python object (`clone`), as NeMo Curator's Ray workers are unpickled
/// copies, so a stage's state is never shared between threads.
class PythonStage final : public ProcessingStage {
 public:
  /// Wrap `stage`, reading its name, resources, batch size, worker count, inputs,
  /// outputs and spec once. Called with the GIL held; throws std::invalid_argument
  /// when the stage declares invalid values.
  explicit PythonStage(nanobind::handle stage);
  ~PythonStage() override;

  StageIO inputs() const override { return inputs_; }
  StageIO outputs() const override { return outputs_; }
  StageSpec ray_stage_spec() const override { return spec_; }

  std::vector<TaskPtr> process(TaskPtr task) override;
  /// Validate the inputs, then call the Python stage's `process_batch` with the GIL held.
  /// A Python exception becomes std::runtime_error "<Type>: <message>".
  std::vector<TaskPtr> process_batch(std::vector<TaskPtr> tasks) override;
  void setup_on_node(const NodeInfo& node, const WorkerMetadata& worker) override;
  /// Return whether the Python class overrides `setup_on_node` (asked once, at construction).
  bool sets_up_nodes() const override { return sets_up_nodes_; }
  void setup(const WorkerMetadata& worker) override;
  void teardown() override;
  /// Return a stage over a deep copy of the Python object.
  std::shared_ptr<ProcessingStage> clone() const override;
  /// Throw StageNotDescribable: a Python stage crosses processes as its pickled Python
  /// object, not as a C++ description.
  StageRecipe recipe() const override;

 private:
  PythonStage(const PythonStage& other);
  // Calls `curate._bridge.<function>(stage, args...)` with the GIL held and turns a
  // Python exception into std::runtime_error.
  template <typename... Args>
  nanobind::object call_bridge(const char* function, Args&&... args) const;

  nanobind::object stage_;
  bool sets_up_nodes_ = true;
  StageIO inputs_;
  StageIO outputs_;
  StageSpec spec_;
};

}  // namespace curate::python
