#include "curate/dedup/exact/exact_deduplication_workflow.hpp"

#include "curate/dedup/exact/exact_duplicates.hpp"
#include "curate/dedup/workflow_support.hpp"

#include <filesystem>
#include <stdexcept>

namespace curate::dedup {
namespace {

namespace fs = std::filesystem;

DedupInput dedup_input(const ExactDeduplicationParams& params) {
  DedupInput input;
  input.paths = params.input_path;
  input.files_per_partition = params.files_per_partition;
  input.blocksize = params.blocksize;
  input.extensions = params.input_file_extensions;
  input.text_field = params.text_field;
  input.id_field = params.id_field;
  input.batch_rows = params.batch_rows;
  return input;
}

}  // namespace

ExactDeduplicationWorkflow::ExactDeduplicationWorkflow(ExactDeduplicationParams params)
    : params_(std::move(params)) {
  const auto fail = [](const std::string& message) {
    throw std::invalid_argument("ExactDeduplicationWorkflow: " + message);
  };
  if (params_.input_path.empty()) fail("input_path must name at least one file or folder");
  if (params_.output_path.empty()) fail("output_path must be set");
  if (params_.files_per_partition && params_.blocksize) {
    fail("give files_per_partition or blocksize, not both");
  }
  removal_list_dir_ = (fs::path(params_.output_path) / "removal_list").string();
  deduplicated_dir_ = (fs::path(params_.output_path) / "deduplicated").string();
  // Builds the stages once, so that a missing input or a bad option is reported now.
  identification_pipeline().build();
}

Pipeline ExactDeduplicationWorkflow::identification_pipeline() const {
  ExactDuplicatesOptions options;
  options.text_field = params_.text_field;
  options.id_field = params_.id_field;
  options.hash = params_.hash;
  options.num_partitions = params_.num_partitions;
  return Pipeline("exact_duplicate_identification",
                  {make_dedup_reader(dedup_input(params_), true),
                   std::make_shared<ExactDuplicates>(std::move(options), removal_list_dir_)});
}

Pipeline ExactDeduplicationWorkflow::removal_pipeline() const {
  return dedup::removal_pipeline(dedup_input(params_), removal_list_dir_, deduplicated_dir_,
                                 "exact_duplicate_removal");
}

ExactDeduplicationStats ExactDeduplicationWorkflow::run(Executor& executor) {
  prepare_output_dir(removal_list_dir_, params_.overwrite);
  if (params_.perform_removal) prepare_output_dir(deduplicated_dir_, params_.overwrite);
  ExactDeduplicationStats stats;
  stats.removal_list_dir = removal_list_dir_;
  for (const TaskPtr& written : identification_pipeline().run(executor)) {
    stats.documents += metadata_count(*written, kDocumentsKey);
    stats.duplicate_groups += metadata_count(*written, kDuplicateGroupsKey);
    stats.removed += metadata_count(*written, kRemovedKey);
  }
  if (!params_.perform_removal) return stats;
  stats.deduplicated_dir = deduplicated_dir_;
  for (const TaskPtr& written : removal_pipeline().run(executor)) {
    stats.kept_written += metadata_count(*written, "rows_written");
  }
  return stats;
}

}  // namespace curate::dedup
