#pragma once

#include "curate/cli/pipeline_config.hpp"
#include "curate/core/stage_registry.hpp"

#include <filesystem>

namespace curate::cli {

/// Delete what `curate run --overwrite` must not find: the contents of every output folder
/// the pipeline's stages write to (`output_folders`). A folder that holds the pipeline
/// file, the log folder, one of the stages' input `paths`, the working directory or the
/// root is refused with a ConfigError and nothing of it is deleted. The log folder's own
/// state (markers, fingerprint, stats.json, errors.jsonl) is `RunLog::prepare`'s to
/// clear. Called by the driver once, before the run: `curate run` and the Python
/// package's `curate run` of a `type: ray` file.
void clear_outputs_for_overwrite(const PipelineConfig& config, const StageRegistry& registry,
                                 const std::filesystem::path& pipeline_file,
                                 const std::filesystem::path& log_dir);

}  // namespace curate::cli
