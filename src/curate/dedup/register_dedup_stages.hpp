#pragma once

#include "curate/core/stage_registry.hpp"

namespace curate::dedup {

/// Register the deduplication stages for pipeline YAML: `exact_duplicates` (an
/// ExactDuplicates composite: the shuffle and the removal-list writer) and
/// `remove_duplicates`, with their parameters. Called once per registry, before it is
/// used, from one thread. Throws std::invalid_argument when a name is already registered.
void register_dedup_stages(StageRegistry& registry);

}  // namespace curate::dedup

namespace curate {
using dedup::register_dedup_stages;
}  // namespace curate
