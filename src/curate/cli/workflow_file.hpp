#pragma once

#include "curate/cli/commands.hpp"
#include "curate/cli/dedup_command.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace curate::cli {

/// Return true when `file` holds a workflow rather than a pipeline: a YAML mapping with
/// a `workflow` key. Throws ConfigError when the file cannot be read or parsed.
bool is_workflow_file(const std::filesystem::path& file);

/// Run a workflow file with `curate run`:
///
///     name: dedup_web              # optional
///     workflow: fuzzy_deduplication  # or exact_deduplication
///     params: {input_path: data, output_path: out/fuzzy, char_ngrams: 24, ...}
///     executor: {config: {num_cpus: 2}}  # optional; type: ray runs from the Python package
///
/// The parameters are those of `curate dedup exact|fuzzy`, under NeMo Curator's names
/// (`curate stages` lists them). Every unknown key or mistyped value is reported, each
/// with file, line and the closest valid names, before anything runs (ConfigError).
/// Returns the exit status of the run. Driver thread only.
int run_workflow_file(const std::filesystem::path& file, bool quiet, CliContext& context);

class SourceMap;

/// Return the options of `curate dedup` that a workflow document asks for (the
/// mapping of a workflow file, or the same built in code: `{"workflow": NAME, "params":
/// {...}, "executor": {"config": {"num_cpus": N}}}`). Every mistake is reported at once
/// in one ConfigError, each with its file and line when `map` is given. Pure.
DedupOptions workflow_options(const nlohmann::json& document, const SourceMap* map = nullptr);

/// Return the `executor.type` of a workflow document ("local" when it names none). Pure.
std::string workflow_executor_type(const nlohmann::json& document);

/// Return the workflows' parameter listing for `curate stages`.
std::string describe_workflows();

}  // namespace curate::cli
