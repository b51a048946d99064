#pragma once

// Stages that only tests register: `abort_after` passes tasks through and, while armed,
// throws once more than `tasks` tasks went through it in this process (a run killed
// part-way, deterministically). `slow_after` passes `pass` tasks at once, then creates
// `<dir>/reached` and sleeps `sleep_ms` per task: a run a test can signal mid-way; every
// instance appends a line to `<dir>/setup.log` in setup and `<dir>/teardown.log` in
// teardown, so the test sees that teardown ran.

#include "curate/core/stage_registry.hpp"

#include <atomic>

namespace curate::cli::testing {

/// Arm or disarm every `abort_after` stage and reset their shared task counter.
void arm_abort(bool armed);

/// Register `abort_after` (param `tasks`, default 1) and `slow_after` (params `dir`,
/// `pass`, `sleep_ms`) in `registry`.
void register_test_stages(StageRegistry& registry);

}  // namespace curate::cli::testing
