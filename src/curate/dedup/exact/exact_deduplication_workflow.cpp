#include "curate/dedup/exact/exact_deduplication_workflow.hpp"

#include "curate/dedup/exact/exact_duplicates.hpp"
#include "curate/dedup/removal/remove_duplicates_stage.hpp"
#include "curate/io/jsonl_reader_stage.hpp"
#include "curate/io/jsonl_writer_stage.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

namespace curate::dedup {
namespace {

namespace fs = std::filesystem;

std::uint64_t metadata_count(const Task& task, std::string_view key) {
  const auto& metadata = task.metadata();
  const auto it = metadata.find(key);
  return it != metadata.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

// Refuse to mix a run's output with an earlier one's: stale part files of a run with
// more partitions would otherwise stay in the removal list.
void prepare_output_dir(const std::string& dir, bool overwrite) {
  std::error_code error;
  if (fs::exists(dir, error) && !fs::is_empty(dir, error)) {
    if (!overwrite) {
      throw std::runtime_error(fmt::format(
          "output folder '{}' is not empty; remove it or set overwrite to replace it", dir));
    }
    fs::remove_all(dir, error);
    if (error) {
      throw std::runtime_error(fmt::format("cannot remove '{}': {}", dir, error.message()));
    }
  }
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

namespace {

std::shared_ptr<io::JsonlReader> make_reader(const ExactDeduplicationParams& params,
                                             bool add_dedup_id) {
  io::FilePartitioningOptions partitioning;
  partitioning.paths = params.input_path;
  partitioning.files_per_partition = params.files_per_partition;
  partitioning.blocksize = params.blocksize;
  if (!params.input_file_extensions.empty()) {
    partitioning.extensions = params.input_file_extensions;
  }
  io::JsonlReaderOptions reading;
  reading.schema.text_field = params.text_field;
  reading.schema.id_field = params.id_field;
  reading.batch_rows = params.batch_rows;
  reading.add_dedup_id = add_dedup_id;
  return std::make_shared<io::JsonlReader>(std::move(partitioning), std::move(reading));
}

}  // namespace

Pipeline ExactDeduplicationWorkflow::identification_pipeline() const {
  ExactDuplicatesOptions options;
  options.text_field = params_.text_field;
  options.id_field = params_.id_field;
  options.hash = params_.hash;
  options.num_partitions = params_.num_partitions;
  return Pipeline("exact_duplicate_identification",
                  {make_reader(params_, true),
                   std::make_shared<ExactDuplicates>(std::move(options), removal_list_dir_)});
}

Pipeline ExactDeduplicationWorkflow::removal_pipeline() const {
  RemoveDuplicatesOptions removal;
  removal.removal_list = {removal_list_dir_};
  removal.id_field = params_.id_field;
  io::JsonlWriterOptions writer;
  writer.output_dir = deduplicated_dir_;
  return Pipeline(
      "exact_duplicate_removal",
      {make_reader(params_, false), std::make_shared<RemoveDuplicatesStage>(std::move(removal)),
       std::make_shared<io::JsonlWriterStage>(std::move(writer))});
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
