#include "curate/core/column.hpp"

#include <stdexcept>

namespace curate {

std::string_view to_string(ColumnType type) {
  switch (type) {
    case ColumnType::String:
      return "string";
    case ColumnType::Int64:
      return "int64";
    case ColumnType::Float64:
      return "float64";
    case ColumnType::Bool:
      return "bool";
  }
  return "unknown";
}

namespace {

void check_offsets(const std::vector<uint64_t>& offsets, std::size_t size) {
  if (offsets.empty() || offsets.front() != 0 || offsets.back() != size) {
    throw std::invalid_argument("StringColumn: offsets must start at 0 and end at the buffer size");
  }
  for (std::size_t i = 1; i < offsets.size(); ++i) {
    if (offsets[i] < offsets[i - 1]) {
      throw std::invalid_argument("StringColumn: offsets must not decrease");
    }
  }
}

}  // namespace

StringColumn StringColumn::from_parts(std::string bytes, std::vector<uint64_t> offsets) {
  check_offsets(offsets, bytes.size());
  StringColumn column;
  column.bytes_ = std::move(bytes);
  column.offsets_ = std::move(offsets);
  return column;
}

StringColumn StringColumn::adopt(std::shared_ptr<const void> keeper, std::string_view bytes,
                                 std::vector<uint64_t> offsets) {
  check_offsets(offsets, bytes.size());
  if (!keeper) throw std::invalid_argument("StringColumn: adopted storage needs a keeper");
  StringColumn column;
  column.keeper_ = std::move(keeper);
  column.adopted_ = bytes.data();
  column.adopted_size_ = bytes.size();
  column.offsets_ = std::move(offsets);
  return column;
}

void StringColumn::own() {
  bytes_.assign(adopted_, adopted_size_);
  keeper_.reset();
  adopted_ = nullptr;
  adopted_size_ = 0;
}

std::size_t column_size(const ColumnData& data) {
  return std::visit([](const auto& values) { return values.size(); }, data);
}

}  // namespace curate
