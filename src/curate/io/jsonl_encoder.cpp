#include "curate/io/jsonl_encoder.hpp"

#include "curate/io/json_text.hpp"
#include "curate/io/jsonl_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <stdexcept>

namespace curate::io {

// One column to write as a JSON member: its `"name":` prefix and a typed view.
struct JsonlEncoder::Column {
  std::string prefix;
  ColumnType type = ColumnType::String;
  StringColumnView strings;
  std::span<const std::int64_t> integers;
  std::span<const double> numbers;
  std::span<const std::uint8_t> booleans;

  void append_value(std::string& out, std::size_t row) const {
    switch (type) {
      case ColumnType::String:
        append_json_string(out, strings[row]);
        break;
      case ColumnType::Int64:
        append_json_number(out, integers[row]);
        break;
      case ColumnType::Float64:
        append_json_number(out, numbers[row]);
        break;
      case ColumnType::Bool:
        out += booleans[row] != 0 ? "true" : "false";
        break;
    }
  }
};

JsonlEncoder::JsonlEncoder(std::vector<std::string> drop_fields, bool write_internal_columns)
    : drop_fields_(std::move(drop_fields)), write_internal_columns_(write_internal_columns) {}

std::vector<JsonlEncoder::Column> JsonlEncoder::columns_to_add(const DocumentBatch& batch,
                                                               bool has_raw) const {
  std::set<std::string> skip(drop_fields_.begin(), drop_fields_.end());
  skip.insert(std::string(kRawColumn));
  skip.insert(std::string(kTextAsReadColumn));
  if (has_raw) {
    const auto it = batch.metadata().find(kRecordColumnsKey);
    if (it != batch.metadata().end() && it->is_array()) {
      for (const auto& name : *it) {
        if (name.is_string()) skip.insert(name.get<std::string>());
      }
    } else {
      skip.insert(batch.text_field());
    }
  }
  std::vector<Column> out;
  for (const std::string& name : batch.column_names()) {
    if (skip.contains(name)) continue;
    if (!write_internal_columns_ && name.starts_with(kInternalColumnPrefix)) continue;
    Column column;
    append_json_string(column.prefix, name);
    column.prefix += ':';
    column.type = batch.column_type(name);
    switch (column.type) {
      case ColumnType::String:
        column.strings = batch.strings(name);
        break;
      case ColumnType::Int64:
        column.integers = batch.int64s(name);
        break;
      case ColumnType::Float64:
        column.numbers = batch.doubles(name);
        break;
      case ColumnType::Bool:
        column.booleans = batch.bools(name);
        break;
    }
    out.push_back(std::move(column));
  }
  return out;
}

bool JsonlEncoder::dropped(const JsonMember& member) {
  return std::any_of(drop_fields_.begin(), drop_fields_.end(), [&](const std::string& name) {
    return json_key_equals(member, name, key_scratch_);
  });
}

void JsonlEncoder::encode(const DocumentBatch& batch,
                          const std::function<void(std::string_view)>& sink) {
  const bool has_raw =
      batch.has_column(kRawColumn) && batch.column_type(kRawColumn) == ColumnType::String;
  const std::vector<Column> added = columns_to_add(batch, has_raw);
  const std::size_t rows = batch.num_rows();
  if (!has_raw) {
    for (std::size_t row = 0; row < rows; ++row) {
      render(row, added);
      sink(line_);
    }
    rows_rendered_ += rows;
    return;
  }
  const StringColumnView raw = batch.strings(kRawColumn);
  // While the text column has the lineage of the text as read, no row's text changed:
  // nothing to compare. Otherwise each row is compared with the text as read; without
  // that column (a stage dropped it), every row's text is written from the column.
  const std::string& text_field = batch.text_field();
  const bool has_text =
      batch.has_column(text_field) && batch.column_type(text_field) == ColumnType::String;
  const bool has_as_read = batch.has_column(kTextAsReadColumn) &&
                           batch.column_type(kTextAsReadColumn) == ColumnType::String;
  const bool text_as_read =
      !has_text ||
      (has_as_read && batch.column_lineage(text_field) == batch.column_lineage(kTextAsReadColumn));
  StringColumnView text;
  StringColumnView as_read;
  if (!text_as_read) {
    text = batch.text();
    if (has_as_read) as_read = batch.strings(kTextAsReadColumn);
  }
  const bool patch_all = !added.empty() || !drop_fields_.empty();
  // A run of unchanged rows adjacent in the column's buffer, written with one call.
  const char* run_begin = nullptr;
  std::size_t run_size = 0;
  auto flush_run = [&]() {
    if (run_size > 0) sink(std::string_view(run_begin, run_size));
    run_size = 0;
  };
  for (std::size_t row = 0; row < rows; ++row) {
    const std::string_view line = raw[row];
    const bool text_changed = !text_as_read && (!has_as_read || text[row] != as_read[row]);
    if (!patch_all && !text_changed && !line.empty() && line.back() == '\n') {
      if (run_size > 0 && run_begin + run_size != line.data()) flush_run();
      if (run_size == 0) run_begin = line.data();
      run_size += line.size();
      ++rows_copied_;
      continue;
    }
    flush_run();
    patch(line, row, batch, text_changed, added);
    sink(line_);
    ++rows_patched_;
  }
  flush_run();
}

void JsonlEncoder::patch(std::string_view raw, std::size_t row, const DocumentBatch& batch,
                         bool text_changed, const std::vector<Column>& added) {
  std::string_view body = raw;
  if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  if (!text_changed && drop_fields_.empty() && append_members(body, row, added)) return;
  if (!scan_json_object(body, layout_)) {
    throw std::runtime_error(
        fmt::format("batch '{}', row {}: column {} does not hold a JSON "
                    "object; it must be the record line read by the reader",
                    batch.task_id(), row, kRawColumn));
  }
  const auto& members = layout_.members;
  line_.clear();
  line_.append(body, 0, members.empty() ? layout_.close_brace : members.front().key_begin);
  bool first = true;
  bool text_written = !text_changed || std::find(drop_fields_.begin(), drop_fields_.end(),
                                                 batch.text_field()) != drop_fields_.end();
  for (std::size_t i = 0; i < members.size(); ++i) {
    const JsonMember& member = members[i];
    if (!drop_fields_.empty() && dropped(member)) continue;
    if (!first) {
      const std::size_t previous_end = members[i - 1].value_end;
      line_.append(body, previous_end, member.key_begin - previous_end);
    }
    first = false;
    line_.append(body, member.key_begin, member.value_begin - member.key_begin);
    if (!text_written && json_key_equals(member, batch.text_field(), key_scratch_)) {
      append_json_string(line_, batch.text()[row]);
      text_written = true;
    } else {
      line_.append(body, member.value_begin, member.value_end - member.value_begin);
    }
  }
  if (!members.empty()) {
    const std::size_t last_end = members.back().value_end;
    line_.append(body, last_end, layout_.close_brace - last_end);
  }
  if (!text_written) {
    // The record had no text member (a `_raw` not made by the reader): add one.
    if (!first) line_ += ',';
    append_json_string(line_, batch.text_field());
    line_ += ':';
    append_json_string(line_, batch.text()[row]);
    first = false;
  }
  for (const Column& column : added) {
    if (!first) line_ += ',';
    first = false;
    line_ += column.prefix;
    column.append_value(line_, row);
  }
  line_.append(body, layout_.close_brace);
  line_ += '\n';
}

bool JsonlEncoder::append_members(std::string_view body, std::size_t row,
                                  const std::vector<Column>& added) {
  // Only columns are added: the members need not be found, only the closing brace
  // (the reader checked the line is one object), which saves scanning the text.
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  std::size_t begin = 0, end = body.size();
  while (begin < end && is_space(body[begin])) ++begin;
  while (end > begin && is_space(body[end - 1])) --end;
  if (end - begin < 2 || body[begin] != '{' || body[end - 1] != '}') return false;
  const std::size_t close = end - 1;
  std::size_t inner = begin + 1;
  while (inner < close && is_space(body[inner])) ++inner;
  line_.clear();
  line_.append(body, 0, close);
  bool first = inner == close;
  for (const Column& column : added) {
    if (!first) line_ += ',';
    first = false;
    line_ += column.prefix;
    column.append_value(line_, row);
  }
  line_.append(body, close);
  line_ += '\n';
  return true;
}

void JsonlEncoder::render(std::size_t row, const std::vector<Column>& columns) {
  line_.clear();
  line_ += '{';
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) line_ += ',';
    line_ += columns[i].prefix;
    columns[i].append_value(line_, row);
  }
  line_ += "}\n";
}

}  // namespace curate::io
