#pragma once

#include "curate/core/stage_registry.hpp"

namespace curate {

/// Register the text layer's stages for YAML pipelines: `heuristic_filter` (a list of
/// filters fused over one analysis per document), `score_filter`, `score` and `filter`
/// (NeMo Curator's ScoreFilter, Score and Filter over one filter), `normalize_unicode`,
/// and one stage per built-in filter under the filter's own name (a score_filter of
/// that filter, e.g. `word_count: {min_words: 80}`). Thresholds are parameters with the
/// published defaults; unknown parameters are errors. Called once by the CLI before
/// any pipeline is built; throws std::invalid_argument if a name is already taken.
void register_text_stages(StageRegistry& registry);

}  // namespace curate
