#include "curate/io/batch_builder.hpp"

#include "curate/core/task_ids.hpp"
#include "curate/io/dedup_id.hpp"
#include "curate/io/json_text.hpp"
#include "curate/io/jsonl_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace curate::io {

BatchBuilder::BatchBuilder(RecordSchema schema, bool dedup_ids)
    : schema_(std::move(schema)), with_dedup_ids_(dedup_ids) {
  reset();
}

void BatchBuilder::reset() {
  ids_ = StringColumn();
  dedup_ids_ = {};
  raw_mode_ = RawMode::Empty;
  raw_chunk_.reset();
  raw_begin_ = nullptr;
  raw_bytes_.clear();
  raw_offsets_.assign(1, 0);
  fields_.assign(schema_.fields.size(), FieldColumn{});
  bad_.fill(0);
  source_files_.clear();
}

void BatchBuilder::reserve(std::size_t bytes) {
  // Text is most of a line; ids and offsets are small. Reserving avoids the copies of
  // repeated doubling, a measurable share of the reader's time.
  const std::size_t rows = bytes / 512 + 16;
  raw_reserve_ = bytes;  // only if the rows end up copied
  raw_offsets_.reserve(rows + 1);
  text_.reserve(rows, bytes);
  ids_.reserve(rows, rows * 24);
  if (with_dedup_ids_) dedup_ids_.reserve(rows);
}

std::uint64_t BatchBuilder::bad_records() const {
  std::uint64_t sum = 0;
  for (const auto count : bad_) sum += count;
  return sum;
}

void BatchBuilder::add_raw(std::string_view line, const std::shared_ptr<char[]>& chunk) {
  // The LineReader pads every line, so the byte after it is readable: "\n" when the line
  // ended with one (not "\r\n", and not the last line of a file without one).
  const bool whole = chunk != nullptr && line.data()[line.size()] == '\n';
  const std::size_t size = raw_offsets_.back();
  if (whole && raw_mode_ == RawMode::Empty) {
    raw_mode_ = RawMode::Adopted;
    raw_chunk_ = chunk;
    raw_begin_ = line.data();
  } else if (whole && raw_mode_ == RawMode::Adopted && chunk == raw_chunk_ &&
             line.data() == raw_begin_ + size) {
    // The next line of the run: nothing to copy.
  } else {
    if (raw_mode_ != RawMode::Copied) {
      raw_bytes_.reserve(std::max(raw_reserve_, size + line.size() + 1));
      raw_bytes_.assign(raw_begin_ == nullptr ? "" : raw_begin_, size);
      raw_chunk_.reset();
      raw_begin_ = nullptr;
      raw_mode_ = RawMode::Copied;
    }
    raw_bytes_.append(line);
    raw_bytes_ += '\n';
  }
  raw_offsets_.push_back(size + line.size() + 1);
}

void BatchBuilder::add(std::string_view line, const std::shared_ptr<char[]>& chunk,
                       const ParsedRecord& record, const std::string& file,
                       std::uint64_t line_number) {
  if (source_files_.empty() || source_files_.back() != file) {
    source_files_.push_back(file);
    file_hash_ = stable_hash_id(file);
  }
  text_.append(record.text);
  if (record.id) {
    ids_.append(*record.id);
  } else {
    id_scratch_.clear();
    fmt::format_to(std::back_inserter(id_scratch_), "{}-{}", file_hash_, line_number);
    ids_.append(id_scratch_);
  }
  // The line and its "\n" as one string, so that runs of rows are one contiguous block.
  add_raw(line, chunk);
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const FieldValue& value = record.fields[i];
    FieldColumn& field = fields_[i];
    field.kinds.push_back(value.kind);
    field.integers.push_back(value.kind == FieldKind::Int64 ? value.integer : 0);
    field.numbers.push_back(value.kind == FieldKind::Int64 || value.kind == FieldKind::Double
                                ? value.number
                                : std::numeric_limits<double>::quiet_NaN());
    field.booleans.push_back(value.kind == FieldKind::Bool && value.boolean ? 1 : 0);
    field.texts.append(value.kind == FieldKind::Null ? std::string_view("null") : value.text);
  }
}

ColumnData BatchBuilder::finish_field(FieldColumn& field) const {
  bool any = false;
  bool all_bool = true, all_int = true, all_number = true, all_string = true, any_null = false;
  for (const FieldKind kind : field.kinds) {
    if (kind == FieldKind::Missing) continue;
    if (kind == FieldKind::Null) {
      any_null = true;
      continue;
    }
    any = true;
    all_bool &= kind == FieldKind::Bool;
    all_int &= kind == FieldKind::Int64;
    all_number &= kind == FieldKind::Int64 || kind == FieldKind::Double;
    all_string &= kind == FieldKind::String;
  }
  if (any && all_bool) return std::move(field.booleans);
  if (any && all_int) return std::move(field.integers);
  if (any && all_number) return std::move(field.numbers);
  const std::size_t rows = field.kinds.size();
  if (!any || all_string) {
    if (!any_null) return std::move(field.texts);
    StringColumn out;
    for (std::size_t row = 0; row < rows; ++row) {
      out.append(field.kinds[row] == FieldKind::Null ? std::string_view() : field.texts[row]);
    }
    return out;
  }
  // Mixed types: every value as JSON text, strings quoted again.
  StringColumn out;
  std::string quoted;
  for (std::size_t row = 0; row < rows; ++row) {
    if (field.kinds[row] == FieldKind::String) {
      quoted.clear();
      append_json_string(quoted, field.texts[row]);
      out.append(quoted);
    } else {
      out.append(field.texts[row]);
    }
  }
  return out;
}

std::shared_ptr<DocumentBatch> BatchBuilder::finish(const Task& parent, std::string task_id) {
  auto batch = std::make_shared<DocumentBatch>("", "", schema_.text_field);
  batch->inherit_from(parent);
  batch->set_task_id(std::move(task_id));
  nlohmann::json record_columns = nlohmann::json::array({schema_.text_field, schema_.id_field});
  batch->set_column(schema_.text_field, text_.finish());
  batch->set_column(schema_.id_field, std::move(ids_));
  if (raw_mode_ == RawMode::Adopted) {
    const std::string_view rows(raw_begin_, raw_offsets_.back());
    batch->set_column(std::string(kRawColumn),
                      StringColumn::adopt(std::move(raw_chunk_), rows, std::move(raw_offsets_)));
  } else {
    batch->set_column(std::string(kRawColumn),
                      StringColumn::from_parts(std::move(raw_bytes_), std::move(raw_offsets_)));
  }
  raw_bytes_ = {};
  raw_offsets_ = {};
  batch->share_column(std::string(kTextAsReadColumn), schema_.text_field);
  if (with_dedup_ids_) batch->set_column(std::string(kDedupIdColumn), std::move(dedup_ids_));
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const std::string& name = schema_.fields[i];
    if (batch->has_column(name)) continue;
    batch->set_column(name, finish_field(fields_[i]));
    record_columns.push_back(name);
  }
  nlohmann::json& metadata = batch->metadata();
  metadata[kSourceFilesKey] = source_files_;
  metadata[kBadRecordsKey] = bad_records();
  nlohmann::json by_reason = nlohmann::json::object();
  for (std::size_t i = 0; i < kBadRecordReasonCount; ++i) {
    if (bad_[i] > 0) by_reason[to_string(static_cast<BadRecordReason>(i))] = bad_[i];
  }
  metadata[kBadRecordsByReasonKey] = std::move(by_reason);
  metadata[kRecordColumnsKey] = std::move(record_columns);
  reset();
  return batch;
}

}  // namespace curate::io
