#include "curate/io/jsonl_writer_stage.hpp"

#include "curate/core/document_batch.hpp"
#include "curate/io/output_file.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

namespace curate::io {

JsonlWriterStage::JsonlWriterStage(JsonlWriterOptions options, std::string name)
    : CloneableStage(std::move(name)),
      options_(std::move(options)),
      encoder_(options_.drop_fields, options_.write_internal_columns) {
  if (options_.output_dir.empty()) {
    throw std::invalid_argument(fmt::format("stage '{}': output_dir must be set", this->name()));
  }
  const int level = options_.compression_level;
  const int max_level = options_.compression == Compression::Zstd ? 22 : 9;
  if (level < 0 || level > max_level) {
    throw std::invalid_argument(
        fmt::format("stage '{}': compression_level {} is outside 0..{} "
                    "for {}",
                    this->name(), level, max_level, to_string(options_.compression)));
  }
}

std::string JsonlWriterStage::output_path(const std::string& task_id) const {
  std::string file = task_id.empty() ? std::string("batch") : task_id;
  for (char& c : file) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_';
    if (!safe) c = '_';
  }
  // A leading dot would hide the file from the folder expansion of a later read.
  if (file.front() == '.') file.front() = '_';
  file += ".jsonl";
  file += compression_suffix(options_.compression);
  return (std::filesystem::path(options_.output_dir) / file).string();
}

std::vector<TaskPtr> JsonlWriterStage::process(TaskPtr task) {
  const auto* batch = dynamic_cast<const DocumentBatch*>(task.get());
  if (batch == nullptr) {
    throw std::invalid_argument(fmt::format("stage '{}' writes DocumentBatches, got a {} ('{}')",
                                            name(), task ? task->type_name() : "null task",
                                            task ? task->task_id() : ""));
  }
  std::error_code error;
  std::filesystem::create_directories(options_.output_dir, error);
  if (error) {
    throw std::runtime_error(fmt::format("stage '{}': cannot create output folder '{}': {}", name(),
                                         options_.output_dir, error.message()));
  }
  const std::string path = output_path(batch->task_id());
  OutputFile file(path, options_.compression, options_.compression_level);
  encoder_.encode(*batch, [&](std::string_view bytes) { file.write(bytes); });
  file.close();

  auto written = std::make_shared<FileGroupTask>(batch->task_id(), batch->dataset_name(),
                                                 std::vector<std::string>{path});
  written->metadata() = batch->metadata();
  written->stage_perf() = batch->stage_perf();
  written->metadata()["rows_written"] = batch->num_rows();
  written->metadata()["bytes_written"] = file.bytes_out();
  return {written};
}

StageRecipe JsonlWriterStage::recipe() const {
  return {"jsonl_writer",
          {{"output_dir", options_.output_dir},
           {"compression", std::string(to_string(options_.compression))},
           {"compression_level", options_.compression_level},
           {"drop_fields", options_.drop_fields},
           {"write_internal_columns", options_.write_internal_columns}},
          {}};
}

}  // namespace curate::io
