#pragma once

#include "curate/cli/pipeline_config.hpp"
#include "curate/core/pipeline.hpp"
#include "curate/core/stage_registry.hpp"

#include <nanobind/nanobind.h>

#include <string>

namespace curate::python {

/// The registry name of the entry that stands for a Python stage: `{stage: python_stage,
/// params: {index: i}}` is the i-th object of the list given with the document.
inline constexpr const char* kPythonStageName = "python_stage";

/// The registry name of the first entry of a run given initial tasks (see
/// InitialTasksStage).
inline constexpr const char* kInitialTasksStageName = "initial_tasks";

/// Return the CLI's stage catalogue plus `initial_tasks` and `python_stage`, whose factory wraps
/// `python_stages[index]` in a PythonStage. The list must outlive the registry's use;
/// called with the GIL held.
StageRegistry make_registry(nanobind::list python_stages);

/// Parse a pipeline document (the JSON of a pipeline file: name, description, executor,
/// stages) written by `curate.pipeline.Pipeline`, checked as the CLI checks a file.
/// Throws cli::ConfigError (ValueError in Python).
cli::PipelineConfig parse_document(const std::string& document);

}  // namespace curate::python
