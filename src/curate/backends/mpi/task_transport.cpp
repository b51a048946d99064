#include "curate/backends/mpi/task_transport.hpp"

#include "curate/core/document_batch.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <stdexcept>

namespace curate::backends::mpi {

std::string encode_task(const Task& task) {
  if (const auto* batch = dynamic_cast<const DocumentBatch*>(&task)) {
    return "D" + batch->to_bytes();
  }
  nlohmann::json json = {
      {"id", task.task_id()}, {"dataset", task.dataset_name()}, {"metadata", task.metadata()}};
  if (const auto* group = dynamic_cast<const FileGroupTask*>(&task)) {
    json["files"] = group->files();
    json["ordinals"] = group->file_ordinals();
    return "F" + json.dump();
  }
  if (dynamic_cast<const EmptyTask*>(&task) != nullptr) return "E" + json.dump();
  throw std::invalid_argument(fmt::format(
      "cannot send a {} to another rank: only DocumentBatch, FileGroupTask and EmptyTask travel",
      task.type_name()));
}

TaskPtr decode_task(std::string_view bytes) {
  if (bytes.empty()) throw std::runtime_error("decode_task: empty message");
  const char kind = bytes.front();
  bytes.remove_prefix(1);
  if (kind == 'D') return DocumentBatch::from_bytes(bytes);
  if (kind != 'F' && kind != 'E') throw std::runtime_error("decode_task: unknown task kind");
  const nlohmann::json json = nlohmann::json::parse(bytes);
  TaskPtr task;
  if (kind == 'F') {
    task = std::make_shared<FileGroupTask>(json.at("id").get<std::string>(),
                                           json.at("dataset").get<std::string>(),
                                           json.at("files").get<std::vector<std::string>>(),
                                           json.at("ordinals").get<std::vector<std::uint64_t>>());
  } else {
    task = std::make_shared<EmptyTask>(json.at("id").get<std::string>(),
                                       json.at("dataset").get<std::string>());
  }
  task->metadata() = json.at("metadata");
  return task;
}

}  // namespace curate::backends::mpi
