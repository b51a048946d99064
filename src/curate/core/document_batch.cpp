#include "curate/core/document_batch.hpp"

#include "curate/core/byte_codec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>

namespace curate {
namespace {

constexpr uint32_t kBatchMagic = 0x42444332;  // "2CDB": curate document batch, version 2
// In place of a column type: the column shares the rows of an earlier column (its index
// follows), as `_text_as_read` shares the text's; sent once, shared again on arrival.
constexpr uint8_t kSharedColumnTag = 0xFF;

// Copy rows selected by `row_of(i)` for i in [0, count) out of one column window.
template <typename RowOf>
ColumnData gather(const ColumnData& source, std::size_t offset, std::size_t count, RowOf row_of) {
  return std::visit(
      [&](const auto& values) -> ColumnData {
        using Values = std::decay_t<decltype(values)>;
        Values out;
        if constexpr (std::is_same_v<Values, StringColumn>) {
          out.reserve(count, 0);
          for (std::size_t i = 0; i < count; ++i) out.append(values[offset + row_of(i)]);
        } else {
          out.reserve(count);
          for (std::size_t i = 0; i < count; ++i) out.push_back(values[offset + row_of(i)]);
        }
        return out;
      },
      source);
}

// Return a process-unique, non-zero lineage. Each thread takes ids in blocks, so the
// workers of a pipeline setting columns never contend on one shared counter.
std::uint64_t next_lineage() {
  constexpr std::uint64_t kBlock = 1u << 16;
  static std::atomic<std::uint64_t> taken{0};
  thread_local std::uint64_t next = 0;
  thread_local std::uint64_t end = 0;
  if (next == end) {
    next = taken.fetch_add(kBlock, std::memory_order_relaxed) + 1;
    end = next + kBlock;
  }
  return next++;
}

}  // namespace

DocumentBatch::DocumentBatch(std::string task_id, std::string dataset_name, std::string text_field)
    : Task(std::move(task_id), std::move(dataset_name)), text_field_(std::move(text_field)) {}

bool DocumentBatch::validate() const {
  for (const auto& column : columns_) {
    if (column_size(*column.data) < column.offset + num_rows_) return false;
  }
  return true;
}

std::vector<std::string> DocumentBatch::column_names() const {
  std::vector<std::string> names;
  names.reserve(columns_.size());
  for (const auto& column : columns_) names.push_back(column.name);
  return names;
}

const DocumentBatch::BoundColumn* DocumentBatch::find(std::string_view name) const {
  for (const auto& column : columns_) {
    if (column.name == name) return &column;
  }
  return nullptr;
}

ColumnType DocumentBatch::column_type(std::string_view name) const {
  const BoundColumn* column = find(name);
  if (column == nullptr) {
    throw std::out_of_range(fmt::format("DocumentBatch '{}' has no column '{}'", task_id(), name));
  }
  return static_cast<ColumnType>(column->data->index());
}

const DocumentBatch::BoundColumn& DocumentBatch::require(std::string_view name,
                                                         ColumnType type) const {
  const ColumnType actual = column_type(name);
  if (actual != type) {
    throw std::invalid_argument(fmt::format("column '{}' holds {} values, not {}", name,
                                            to_string(actual), to_string(type)));
  }
  return *find(name);
}

StringColumnView DocumentBatch::strings(std::string_view name) const {
  const BoundColumn& column = require(name, ColumnType::String);
  return StringColumnView(&std::get<StringColumn>(*column.data), column.offset, num_rows_);
}

std::span<const int64_t> DocumentBatch::int64s(std::string_view name) const {
  const BoundColumn& column = require(name, ColumnType::Int64);
  return std::span<const int64_t>(std::get<std::vector<int64_t>>(*column.data))
      .subspan(column.offset, num_rows_);
}

std::span<const double> DocumentBatch::doubles(std::string_view name) const {
  const BoundColumn& column = require(name, ColumnType::Float64);
  return std::span<const double>(std::get<std::vector<double>>(*column.data))
      .subspan(column.offset, num_rows_);
}

std::span<const uint8_t> DocumentBatch::bools(std::string_view name) const {
  const BoundColumn& column = require(name, ColumnType::Bool);
  return std::span<const uint8_t>(std::get<std::vector<uint8_t>>(*column.data))
      .subspan(column.offset, num_rows_);
}

std::uint64_t DocumentBatch::column_lineage(std::string_view name) const {
  const BoundColumn* column = find(name);
  return column == nullptr ? 0 : column->lineage;
}

void DocumentBatch::set_column(std::string name, ColumnData data) {
  const std::uint64_t lineage = next_lineage();
  const std::size_t rows = column_size(data);
  const bool sets_row_count =
      columns_.empty() || (columns_.size() == 1 && columns_.front().name == name);
  if (!sets_row_count && rows != num_rows_) {
    throw std::invalid_argument(fmt::format("column '{}' has {} rows but batch '{}' has {}", name,
                                            rows, task_id(), num_rows_));
  }
  auto shared = std::make_shared<const ColumnData>(std::move(data));
  for (auto& column : columns_) {
    if (column.name == name) {
      column.data = std::move(shared);
      column.offset = 0;
      column.lineage = lineage;
      num_rows_ = rows;
      return;
    }
  }
  columns_.push_back(BoundColumn{std::move(name), std::move(shared), 0, lineage});
  num_rows_ = rows;
}

void DocumentBatch::share_column(std::string name, std::string_view source) {
  const BoundColumn* found = find(source);
  if (found == nullptr) {
    throw std::out_of_range(
        fmt::format("cannot share column '{}' of batch '{}': no such column", source, task_id()));
  }
  BoundColumn shared = *found;
  shared.name = std::move(name);
  for (auto& column : columns_) {
    if (column.name == shared.name) {
      column = std::move(shared);
      return;
    }
  }
  columns_.push_back(std::move(shared));
}

void DocumentBatch::drop_column(std::string_view name) {
  std::erase_if(columns_, [&](const BoundColumn& column) { return column.name == name; });
  if (columns_.empty()) num_rows_ = 0;
}

std::shared_ptr<DocumentBatch> DocumentBatch::slice(std::size_t begin, std::size_t count) const {
  if (begin > num_rows_ || count > num_rows_ - begin) {
    throw std::out_of_range(fmt::format("slice [{}, {}) of batch '{}' with {} rows", begin,
                                        begin + count, task_id(), num_rows_));
  }
  auto out = std::make_shared<DocumentBatch>(*this);
  for (auto& column : out->columns_) column.offset += begin;
  out->num_rows_ = count;
  return out;
}

std::shared_ptr<DocumentBatch> DocumentBatch::filter_rows(std::span<const uint8_t> keep) const {
  if (keep.size() != num_rows_) {
    throw std::invalid_argument(
        fmt::format("filter mask has {} entries for {} rows", keep.size(), num_rows_));
  }
  std::vector<uint32_t> kept_rows;
  kept_rows.reserve(num_rows_);
  for (std::size_t row = 0; row < num_rows_; ++row) {
    if (keep[row] != 0) kept_rows.push_back(static_cast<uint32_t>(row));
  }
  auto out = std::make_shared<DocumentBatch>(*this);
  // Columns sharing one window of storage (see share_column) are gathered once.
  std::vector<std::pair<const BoundColumn*, std::shared_ptr<const ColumnData>>> gathered;
  for (std::size_t i = 0; i < out->columns_.size(); ++i) {
    BoundColumn& column = out->columns_[i];
    const BoundColumn& before = columns_[i];
    const auto same = std::find_if(gathered.begin(), gathered.end(), [&](const auto& done) {
      return done.first->data == before.data && done.first->offset == before.offset;
    });
    if (same != gathered.end()) {
      column.data = same->second;
    } else {
      column.data = std::make_shared<const ColumnData>(
          gather(*before.data, before.offset, kept_rows.size(),
                 [&](std::size_t row) { return kept_rows[row]; }));
      gathered.emplace_back(&before, column.data);
    }
    column.offset = 0;
  }
  out->num_rows_ = kept_rows.size();
  return out;
}

std::shared_ptr<DocumentBatch> DocumentBatch::concat(
    std::span<const std::shared_ptr<DocumentBatch>> batches) {
  if (batches.empty()) return std::make_shared<DocumentBatch>();
  const DocumentBatch& first = *batches.front();
  auto out = std::make_shared<DocumentBatch>(first);
  out->columns_.clear();
  out->num_rows_ = 0;
  for (const auto& column : first.columns_) {
    ColumnData merged = gather(*column.data, 0, 0, [](std::size_t i) { return i; });
    std::visit(
        [&](auto& target) {
          using Values = std::decay_t<decltype(target)>;
          for (const auto& batch : batches) {
            const BoundColumn* part = batch->find(column.name);
            if (part == nullptr || part->data->index() != column.data->index() ||
                batch->columns_.size() != first.columns_.size()) {
              throw std::invalid_argument(
                  fmt::format("cannot concatenate batch '{}': its columns differ from batch '{}'",
                              batch->task_id(), first.task_id()));
            }
            const auto& values = std::get<Values>(*part->data);
            for (std::size_t row = 0; row < batch->num_rows_; ++row) {
              if constexpr (std::is_same_v<Values, StringColumn>) {
                target.append(values[part->offset + row]);
              } else {
                target.push_back(values[part->offset + row]);
              }
            }
          }
        },
        merged);
    out->set_column(column.name, std::move(merged));
  }
  return out;
}

std::string DocumentBatch::to_bytes() const {
  std::string out;
  append_bytes(out);
  return out;
}

void DocumentBatch::append_bytes(std::string& out) const {
  // One allocation: the columns are nearly all of it (a batch is often tens of MB).
  std::size_t estimate = 4096;
  for (const auto& column : columns_) {
    std::visit(
        [&](const auto& values) {
          using Values = std::decay_t<decltype(values)>;
          if constexpr (std::is_same_v<Values, StringColumn>) {
            estimate += (num_rows_ + 2) * sizeof(uint64_t) +
                        values.range_bytes(column.offset, column.offset + num_rows_).size();
          } else {
            estimate += num_rows_ * sizeof(typename Values::value_type);
          }
        },
        *column.data);
  }
  out.reserve(out.size() + estimate);
  ByteWriter writer(out);
  writer.put<uint32_t>(kBatchMagic);
  writer.put_string(task_id());
  writer.put_string(dataset_name());
  writer.put_string(text_field_);
  writer.put_string(metadata().dump());
  writer.put<uint64_t>(stage_perf().size());
  for (const auto& record : stage_perf()) {
    writer.put_string(record.stage_name);
    writer.put<double>(record.process_time_s);
    writer.put<double>(record.idle_time_s);
    writer.put<uint64_t>(record.input_size);
    writer.put<uint64_t>(record.items_processed);
    writer.put<uint64_t>(record.custom_metrics.size());
    for (const auto& [key, value] : record.custom_metrics) {
      writer.put_string(key);
      writer.put<double>(value);
    }
  }
  writer.put<uint64_t>(num_rows_);
  writer.put<uint64_t>(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    const BoundColumn& column = columns_[c];
    writer.put_string(column.name);
    const auto shared = std::find_if(columns_.begin(), columns_.begin() + c, [&](const auto& e) {
      return e.data == column.data && e.offset == column.offset;
    });
    if (shared != columns_.begin() + c) {
      writer.put<uint8_t>(kSharedColumnTag);
      writer.put<uint64_t>(static_cast<uint64_t>(shared - columns_.begin()));
      continue;
    }
    writer.put<uint8_t>(static_cast<uint8_t>(column.data->index()));
    std::visit(
        [&](const auto& values) {
          using Values = std::decay_t<decltype(values)>;
          if constexpr (std::is_same_v<Values, StringColumn>) {
            const uint64_t* offsets = values.offsets().data() + column.offset;
            const uint64_t base = offsets[0];
            if (base == 0) {
              writer.put_raw(offsets, (num_rows_ + 1) * sizeof(uint64_t));
            } else {
              for (std::size_t row = 0; row <= num_rows_; ++row) {
                writer.put<uint64_t>(offsets[row] - base);
              }
            }
            writer.put_string(values.range_bytes(column.offset, column.offset + num_rows_));
          } else {
            writer.put_raw(values.data() + column.offset,
                           num_rows_ * sizeof(typename Values::value_type));
          }
        },
        *column.data);
  }
}

std::shared_ptr<DocumentBatch> DocumentBatch::from_bytes(std::string_view bytes) {
  ByteReader reader(bytes);
  if (reader.get<uint32_t>() != kBatchMagic) {
    throw std::runtime_error("not a serialised DocumentBatch (bad magic number)");
  }
  auto batch = std::make_shared<DocumentBatch>();
  batch->set_task_id(std::string(reader.get_string()));
  batch->set_dataset_name(std::string(reader.get_string()));
  batch->text_field_ = std::string(reader.get_string());
  batch->metadata() = nlohmann::json::parse(reader.get_string());
  const auto records = reader.get<uint64_t>();
  for (uint64_t i = 0; i < records; ++i) {
    StagePerfRecord record;
    record.stage_name = std::string(reader.get_string());
    record.process_time_s = reader.get<double>();
    record.idle_time_s = reader.get<double>();
    record.input_size = reader.get<uint64_t>();
    record.items_processed = reader.get<uint64_t>();
    const auto metrics = reader.get<uint64_t>();
    for (uint64_t m = 0; m < metrics; ++m) {
      std::string key(reader.get_string());
      record.custom_metrics[key] = reader.get<double>();
    }
    batch->stage_perf().push_back(std::move(record));
  }
  const auto rows = reader.get<uint64_t>();
  const auto columns = reader.get<uint64_t>();
  for (uint64_t c = 0; c < columns; ++c) {
    std::string name(reader.get_string());
    const auto type = reader.get<uint8_t>();
    if (type == kSharedColumnTag) {
      const auto source = reader.get<uint64_t>();
      if (source >= batch->columns_.size()) {
        throw std::runtime_error(fmt::format("column '{}' shares column {} of {}", name, source,
                                             batch->columns_.size()));
      }
      batch->share_column(std::move(name), batch->columns_[source].name);
      continue;
    }
    ColumnData data;
    auto read_numbers = [&](auto& values) {
      using Value = typename std::decay_t<decltype(values)>::value_type;
      std::string_view raw = reader.take(rows * sizeof(Value));
      values.resize(rows);
      std::memcpy(values.data(), raw.data(), raw.size());
    };
    switch (static_cast<ColumnType>(type)) {
      case ColumnType::String: {
        std::vector<uint64_t> offsets(rows + 1);
        for (auto& offset : offsets) offset = reader.get<uint64_t>();
        data = StringColumn::from_parts(std::string(reader.get_string()), std::move(offsets));
        break;
      }
      case ColumnType::Int64:
        read_numbers(data.emplace<std::vector<int64_t>>());
        break;
      case ColumnType::Float64:
        read_numbers(data.emplace<std::vector<double>>());
        break;
      case ColumnType::Bool:
        read_numbers(data.emplace<std::vector<uint8_t>>());
        break;
      default:
        throw std::runtime_error(fmt::format("unknown column type {} for '{}'", type, name));
    }
    batch->set_column(std::move(name), std::move(data));
  }
  if (!reader.done()) throw std::runtime_error("trailing bytes after serialised DocumentBatch");
  batch->num_rows_ = rows;
  return batch;
}

}  // namespace curate
