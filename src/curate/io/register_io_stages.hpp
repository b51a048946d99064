#pragma once

#include "curate/core/stage_registry.hpp"

namespace curate::io {

/// Register the I/O stages for pipeline YAML: `jsonl_reader` (a JsonlReader composite),
/// `jsonl_writer` and `file_partitioning`, with their parameters. Called once per
/// registry, before it is used, from one thread. Throws std::invalid_argument when a
/// name is already registered.
void register_io_stages(StageRegistry& registry);

}  // namespace curate::io

namespace curate {
using io::register_io_stages;
}  // namespace curate
