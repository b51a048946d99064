#include "curate/core/column.hpp"

#include <stdexcept>

namespace curate {

std::string_view to_string(ColumnType type) {
  switch (type) {
    case ColumnType::String: return "string";
    case ColumnType::Int64: return "int64";
    case ColumnType::Float64: return "float64";
    case ColumnType::Bool: return "bool";
  }
  return "unknown";
}

StringColumn StringColumn::from_parts(std::string bytes, std::vector<uint64_t> offsets) {
  if (offsets.empty() || offsets.front() != 0 || offsets.back() != bytes.size()) {
    throw std::invalid_argument("StringColumn: offsets must start at 0 and end at the buffer size");
  }
  for (std::size_t i = 1; i < offsets.size(); ++i) {
    if (offsets[i] < offsets[i - 1]) {
      throw std::invalid_argument("StringColumn: offsets must not decrease");
    }
  }
  StringColumn column;
  column.bytes_ = std::move(bytes);
  column.offsets_ = std::move(offsets);
  return column;
}

std::size_t column_size(const ColumnData& data) {
  return std::visit([](const auto& values) { return values.size(); }, data);
}

}  // namespace curate
