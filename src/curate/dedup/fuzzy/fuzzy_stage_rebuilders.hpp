#pragma once

#include "curate/core/stage_registry.hpp"

namespace curate::dedup {

/// Add the rebuilders of the stages FuzzyDeduplicationWorkflow builds in code
/// (`minhash`, `lsh_buckets`, `connected_components`, `candidate_shingles`,
/// `verify_and_cluster`), so that their descriptions can be rebuilt in another process.
/// Each rebuilt stage gets its own fresh FuzzyStats (counters start at zero; see
/// StageDescription for how they travel back); the verification stages read their
/// CandidateIndex from the payload. Called once per registry, by register_dedup_stages.
void register_fuzzy_rebuilders(StageRegistry& registry);

}  // namespace curate::dedup
