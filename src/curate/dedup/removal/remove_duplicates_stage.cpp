#include "curate/dedup/removal/remove_duplicates_stage.hpp"

#include "curate/core/document_batch.hpp"
#include "curate/dedup/removal/removal_list.hpp"
#include "curate/io/file_partitioning_stage.hpp"

#include <fmt/format.h>

#include <mutex>
#include <stdexcept>

namespace curate::dedup {

// The run statistics read this metadata key (backends/run_stats.hpp, which dedup may not
// include) for documents dropped by reason.
constexpr const char* kDroppedByReasonKey = "dropped_by_reason";

struct RemoveDuplicatesStage::Shared {
  std::once_flag once;
  IdSet ids;
  std::exception_ptr error;  // a failed load fails every instance, not only the first
};

RemoveDuplicatesStage::RemoveDuplicatesStage(RemoveDuplicatesOptions options, std::string name)
    : CloneableStage(std::move(name)),
      options_(std::move(options)),
      shared_(std::make_shared<Shared>()) {
  if (options_.id_field.empty()) {
    throw std::invalid_argument(
        fmt::format("stage '{}': id_field must not be empty", this->name()));
  }
  if (options_.removal_list.empty()) {
    throw std::invalid_argument(fmt::format(
        "stage '{}': removal_list must name at least one file or folder", this->name()));
  }
  try {
    files_ = io::expand_input_paths(options_.removal_list, io::default_jsonl_extensions());
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(
        fmt::format("stage '{}': removal list: {}", this->name(), error.what()));
  }
}

const IdSet& RemoveDuplicatesStage::removal_ids() {
  std::call_once(shared_->once, [&] {
    try {
      load_removal_list(files_, shared_->ids);
    } catch (...) {
      shared_->error = std::current_exception();
    }
  });
  if (shared_->error) std::rethrow_exception(shared_->error);
  return shared_->ids;
}

void RemoveDuplicatesStage::setup(const WorkerMetadata&) { removal_ids(); }

StageIO RemoveDuplicatesStage::inputs() const { return {{options_.id_field}, false}; }

std::vector<TaskPtr> RemoveDuplicatesStage::process(TaskPtr task) {
  auto batch = std::dynamic_pointer_cast<DocumentBatch>(task);
  if (batch == nullptr) {
    throw std::invalid_argument(fmt::format("stage '{}' reads DocumentBatches, got a {}", name(),
                                            task ? task->type_name() : "null task"));
  }
  const IdSet& ids = removal_ids();
  const StringColumnView column = batch->strings(options_.id_field);
  const std::size_t rows = batch->num_rows();
  keep_.assign(rows, 1);
  std::size_t dropped = 0;
  for (std::size_t i = 0; i < rows; ++i) {
    if (ids.contains(column[i])) {
      keep_[i] = 0;
      ++dropped;
    }
  }
  // Nothing dropped: the batch goes on as it is, its columns untouched.
  if (dropped == 0) return {std::move(batch)};
  std::shared_ptr<DocumentBatch> out = batch->filter_rows(keep_);
  nlohmann::json& counts = out->metadata()[kDroppedByReasonKey];
  if (!counts.is_object()) counts = nlohmann::json::object();
  counts[std::string(kDuplicateReason)] = dropped;
  return {std::move(out)};
}

StageRecipe RemoveDuplicatesStage::recipe() const {
  return {"remove_duplicates", {{"removal_list", files_}, {"id_field", options_.id_field}}, {}};
}

}  // namespace curate::dedup
