#pragma once

#include "curate/core/task.hpp"

#include <string>
#include <string_view>

namespace curate::backends::mpi {

/// Serialise a task for another rank: a DocumentBatch whole (DocumentBatch::to_bytes:
/// ids, metadata, history, rows), a FileGroupTask or EmptyTask as id, dataset, files and
/// metadata (without performance history). Throws std::invalid_argument for other task
/// types, naming the type. Pure.
std::string encode_task(const Task& task);

/// Rebuild a task from `encode_task` output; throws std::runtime_error on corrupt input.
TaskPtr decode_task(std::string_view bytes);

}  // namespace curate::backends::mpi
