#pragma once

// Stages that only tests register: `abort_after` passes tasks through and, while armed,
// throws once more than `tasks` tasks went through it in this process (a run killed
// part-way, deterministically).

#include "curate/core/stage_registry.hpp"

#include <atomic>

namespace curate::cli::testing {

/// Arm or disarm every `abort_after` stage and reset their shared task counter.
void arm_abort(bool armed);

/// Register `abort_after` (param `tasks`, default 1) in `registry`.
void register_test_stages(StageRegistry& registry);

}  // namespace curate::cli::testing
