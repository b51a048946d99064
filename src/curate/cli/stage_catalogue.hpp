#pragma once

#include "curate/core/stage_registry.hpp"

#include <string>

namespace curate::cli {

/// Return a registry holding every stage a pipeline file can name: the I/O stages
/// (`register_io_stages`) and the text stages (`register_text_stages`). Called once per
/// command; the result is read-only afterwards.
StageRegistry make_stage_catalogue();

/// Return a listing of the registry for `curate stages`: each stage with its summary
/// and parameters (default, help), sorted by name.
std::string describe_catalogue(const StageRegistry& registry);

}  // namespace curate::cli
