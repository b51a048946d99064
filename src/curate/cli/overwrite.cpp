#include "curate/cli/overwrite.hpp"

#include "curate/cli/pipeline_builder.hpp"
#include "curate/cli/run_log.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace curate::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// What --overwrite must never delete: the pipeline file, the log folder, the inputs.
std::vector<fs::path> protected_paths(const PipelineConfig& config, const fs::path& pipeline_file,
                                      const fs::path& log_dir) {
  std::vector<fs::path> keep = {pipeline_file, log_dir};
  for (const StageEntry& entry : config.stages) {
    const auto paths = entry.params.find("paths");
    if (paths == entry.params.end()) continue;
    if (paths->is_string()) keep.emplace_back(paths->get<std::string>());
    if (!paths->is_array()) continue;
    for (const json& path : *paths) {
      if (path.is_string()) keep.emplace_back(path.get<std::string>());
    }
  }
  return keep;
}

}  // namespace

void clear_outputs_for_overwrite(const PipelineConfig& config, const StageRegistry& registry,
                                 const fs::path& pipeline_file, const fs::path& log_dir) {
  const auto keep = protected_paths(config, pipeline_file, log_dir);
  for (const fs::path& folder : output_folders(config, registry)) clear_output_folder(folder, keep);
}

}  // namespace curate::cli
