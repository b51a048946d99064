#pragma once

#include "curate/core/task.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace curate {

/// Return a stable hexadecimal id for `content` (XXH3 64-bit): the same on every run,
/// machine and executor. Used for ids derived from file paths and source positions.
std::string stable_hash_id(std::string_view content);

/// Give outputs that have no id yet a deterministic one derived from their inputs:
/// as many outputs as inputs -> the input id at the same position; one input -> its id
/// with "_<i>" appended; otherwise the stable hash of the joined input ids with "_<i>".
/// Outputs that already carry an id (set by the stage) keep it. Called by executors
/// after every `process_batch`.
void assign_output_ids(const std::vector<std::string>& input_ids, std::vector<TaskPtr>& outputs);

}  // namespace curate
