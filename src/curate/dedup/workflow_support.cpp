#include "curate/dedup/workflow_support.hpp"

#include "curate/dedup/removal/remove_duplicates_stage.hpp"
#include "curate/io/jsonl_writer_stage.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

namespace curate::dedup {

namespace fs = std::filesystem;

std::shared_ptr<io::JsonlReader> make_dedup_reader(const DedupInput& input, bool add_dedup_id) {
  if (input.files_per_partition && input.blocksize) {
    throw std::invalid_argument("give files_per_partition or blocksize, not both");
  }
  io::FilePartitioningOptions partitioning;
  partitioning.paths = input.paths;
  partitioning.files_per_partition = input.files_per_partition;
  partitioning.blocksize = input.blocksize;
  if (!input.extensions.empty()) partitioning.extensions = input.extensions;
  io::JsonlReaderOptions reading;
  reading.schema.text_field = input.text_field;
  reading.schema.id_field = input.id_field;
  reading.batch_rows = input.batch_rows;
  reading.max_line_bytes = input.max_line_bytes;
  reading.add_dedup_id = add_dedup_id;
  return std::make_shared<io::JsonlReader>(std::move(partitioning), std::move(reading));
}

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

Pipeline removal_pipeline(const DedupInput& input, const std::string& removal_list_dir,
                          const std::string& output_dir, std::string name) {
  RemoveDuplicatesOptions removal;
  removal.removal_list = {removal_list_dir};
  removal.id_field = input.id_field;
  io::JsonlWriterOptions writer;
  writer.output_dir = output_dir;
  return Pipeline(std::move(name), {make_dedup_reader(input, false),
                                    std::make_shared<RemoveDuplicatesStage>(std::move(removal)),
                                    std::make_shared<io::JsonlWriterStage>(std::move(writer))});
}

std::uint64_t metadata_count(const Task& task, std::string_view key) {
  const auto& metadata = task.metadata();
  const auto it = metadata.find(key);
  return it != metadata.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

}  // namespace curate::dedup
