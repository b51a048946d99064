#pragma once

#include "curate/core/processing_stage.hpp"

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace curate {

/// A stage that stands for a sequence of simpler stages (a reader = partitioning +
/// reading). `Pipeline::build` replaces it by `expand()`; it is never executed itself.
class CompositeStage : public ProcessingStage {
 public:
  /// Return the sub-stages, in order. Called once per `Pipeline::build`.
  virtual std::vector<StagePtr> decompose() const = 0;

  /// Return the position in `decompose()`'s list of the sub-stage that does the
  /// composite's work and that the composite's own overrides (a pipeline entry's `name`,
  /// `resources`, `batch_size`, `num_workers`, `stage_spec`; `with_` in Python) apply to.
  /// The default is the last sub-stage (a reader's reading stage). Called on the driver
  /// while a pipeline is built.
  virtual std::size_t primary_sub_stage() const;

  /// Return a copy whose sub-stages named in `overrides` get those overrides at
  /// expansion (the composite analogue of `with_`).
  std::shared_ptr<CompositeStage> with_sub_stages(
      std::map<std::string, StageOverrides> overrides) const;

  /// Return `decompose()` with the overrides applied. Throws std::invalid_argument when
  /// an override names no sub-stage, when sub-stage names repeat while overrides are
  /// given, or when a sub-stage is itself composite (nesting is not supported).
  std::vector<StagePtr> expand() const;

  /// Throw std::logic_error: a composite is decomposed before execution.
  std::vector<TaskPtr> process(TaskPtr task) final;

 protected:
  using ProcessingStage::ProcessingStage;

 private:
  std::map<std::string, StageOverrides> sub_stage_overrides_;
};

}  // namespace curate
