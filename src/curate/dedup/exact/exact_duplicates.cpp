#include "curate/dedup/exact/exact_duplicates.hpp"

#include "curate/io/jsonl_writer_stage.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace curate::dedup {

ExactDuplicates::ExactDuplicates(ExactDuplicatesOptions options, std::string removal_list_dir,
                                 std::string name)
    : CloneableStage(std::move(name)),
      shuffle_(std::make_shared<ExactDuplicatesStage>(std::move(options))),
      removal_list_dir_(std::move(removal_list_dir)) {
  if (removal_list_dir_.empty()) {
    throw std::invalid_argument(
        fmt::format("stage '{}': removal_list_dir must be set", this->name()));
  }
}

std::vector<StagePtr> ExactDuplicates::decompose() const {
  io::JsonlWriterOptions writer;
  writer.output_dir = removal_list_dir_;
  return {shuffle_->clone(),
          std::make_shared<io::JsonlWriterStage>(std::move(writer), "removal_list_writer")};
}

}  // namespace curate::dedup
