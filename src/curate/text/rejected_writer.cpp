#include "curate/text/rejected_writer.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace curate::text {
namespace {

// Task ids come from paths and hashes; keep file names portable and flat.
std::string safe_file_part(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.';
    out.push_back(plain ? c : '_');
  }
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out;
}

nlohmann::json row_id(const DocumentBatch& batch, std::size_t row) {
  if (batch.has_column("id")) {
    switch (batch.column_type("id")) {
      case ColumnType::String:
        return std::string(batch.strings("id")[row]);
      case ColumnType::Int64:
        return batch.int64s("id")[row];
      case ColumnType::Float64:
        return batch.doubles("id")[row];
      case ColumnType::Bool:
        return batch.bools("id")[row] != 0;
    }
  }
  return fmt::format("{}:{}", batch.task_id(), row);
}

}  // namespace

void RejectedDocumentWriter::prepare() const {
  if (!enabled()) return;
  std::error_code error;
  std::filesystem::create_directories(directory_, error);
  if (error) {
    throw std::runtime_error(fmt::format("cannot create the rejected-documents folder '{}': {}",
                                         directory_, error.message()));
  }
}

std::string RejectedDocumentWriter::file_for(std::string_view stage_name,
                                             std::string_view task_id) const {
  return (std::filesystem::path(directory_) /
          fmt::format("{}-{}.jsonl", safe_file_part(stage_name), safe_file_part(task_id)))
      .string();
}

void RejectedDocumentWriter::write(const DocumentBatch& batch, const StringColumnView& texts,
                                   std::span<const RejectedRow> rows,
                                   std::string_view stage_name) const {
  if (!enabled() || rows.empty()) return;
  prepare();
  const std::string path = file_for(stage_name, batch.task_id());
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    if (!out) {
      throw std::runtime_error(
          fmt::format("cannot open '{}' to write rejected documents", temporary));
    }
    std::string line;
    for (const RejectedRow& rejected : rows) {
      nlohmann::json record = nlohmann::json::object();
      record["id"] = row_id(batch, rejected.row);
      record["text"] = std::string(texts[rejected.row]);
      record["reason"] = std::string(rejected.reason);
      // Invalid UTF-8 is replaced rather than fatal: one bad record must not stop a run.
      line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      line.push_back('\n');
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
    }
    out.flush();
    if (!out)
      throw std::runtime_error(fmt::format("cannot write rejected documents to '{}'", temporary));
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    throw std::runtime_error(
        fmt::format("cannot rename '{}' to '{}': {}", temporary, path, error.message()));
  }
}

}  // namespace curate::text
