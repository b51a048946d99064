#include "curate/io/record_parser.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <deque>

namespace curate::io {
namespace {

// The parser's buffers take about 16 bytes per byte of capacity. After a record above
// kShrinkAboveBytes they shrink back, so one huge line does not pin memory for the run.
constexpr std::size_t kInitialCapacity = 64u << 10;
constexpr std::size_t kShrinkAboveBytes = 8u << 20;
constexpr std::size_t kShrunkCapacity = 1u << 20;

}  // namespace

struct RecordParser::Impl {
  simdjson::dom::parser parser;
  // Text for values that need formatting (numbers, nested JSON), reused per line.
  // A deque: growing it never moves the strings that earlier views point into.
  std::deque<std::string> scratch;
  std::size_t scratch_used = 0;

  std::string& next_scratch() {
    if (scratch_used == scratch.size()) scratch.emplace_back();
    std::string& out = scratch[scratch_used++];
    out.clear();
    return out;
  }

  // Read `element` as a FieldValue; nested values keep their minified JSON text.
  void read_value(simdjson::dom::element element, FieldValue& value) {
    using simdjson::dom::element_type;
    switch (element.type()) {
      case element_type::NULL_VALUE:
        value.kind = FieldKind::Null;
        break;
      case element_type::BOOL:
        value.kind = FieldKind::Bool;
        value.boolean = element.get_bool().value_unsafe();
        value.text = value.boolean ? "true" : "false";
        break;
      case element_type::INT64: {
        value.kind = FieldKind::Int64;
        value.integer = element.get_int64().value_unsafe();
        value.number = static_cast<double>(value.integer);
        std::string& text = next_scratch();
        fmt::format_to(std::back_inserter(text), "{}", value.integer);
        value.text = text;
        break;
      }
      case element_type::UINT64: {
        // Beyond int64: a float64 column can hold it approximately, the text exactly.
        value.kind = FieldKind::Double;
        const std::uint64_t big = element.get_uint64().value_unsafe();
        value.number = static_cast<double>(big);
        std::string& text = next_scratch();
        fmt::format_to(std::back_inserter(text), "{}", big);
        value.text = text;
        break;
      }
      case element_type::DOUBLE: {
        value.kind = FieldKind::Double;
        value.number = element.get_double().value_unsafe();
        std::string& text = next_scratch();
        fmt::format_to(std::back_inserter(text), "{}", value.number);
        value.text = text;
        break;
      }
      case element_type::STRING:
        value.kind = FieldKind::String;
        value.text = element.get_string().value_unsafe();
        break;
      case element_type::ARRAY:
      case element_type::OBJECT:
        value.kind = FieldKind::Json;
        next_scratch() = simdjson::minify(element);
        value.text = scratch[scratch_used - 1];
        break;
    }
  }
};

RecordParser::RecordParser(RecordSchema schema)
    : schema_(std::move(schema)), impl_(std::make_unique<Impl>()) {}
RecordParser::~RecordParser() = default;
RecordParser::RecordParser(RecordParser&&) noexcept = default;
RecordParser& RecordParser::operator=(RecordParser&&) noexcept = default;

bool RecordParser::is_blank(std::string_view line) {
  for (const char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

std::optional<BadRecordReason> RecordParser::parse(std::string_view line, ParsedRecord& record) {
  Impl& impl = *impl_;
  impl.scratch_used = 0;
  // simdjson parses documents up to 4 GiB.
  if (line.size() > impl.parser.max_capacity()) return BadRecordReason::LineTooLong;
  const std::size_t capacity = impl.parser.capacity();
  std::size_t wanted = capacity;
  if (line.size() > capacity) {
    // Grow geometrically: simdjson alone would reallocate for every new longest line.
    wanted = std::max({line.size(), 2 * capacity, kInitialCapacity});
    wanted = std::min(wanted, std::max(line.size(), impl.parser.max_capacity()));
  } else if (capacity > kShrinkAboveBytes && line.size() < kShrunkCapacity) {
    wanted = kShrunkCapacity;
  }
  if (wanted != capacity && impl.parser.allocate(wanted) != simdjson::SUCCESS) {
    throw std::bad_alloc();
  }
  simdjson::dom::element root;
  // realloc_if_needed = false: parse in place, the padding is already there.
  if (impl.parser.parse(line.data(), line.size(), false).get(root) != simdjson::SUCCESS) {
    // simdjson reports only its first error; tell bad encoding apart explicitly.
    return simdjson::validate_utf8(line.data(), line.size()) ? BadRecordReason::NotAJsonObject
                                                             : BadRecordReason::InvalidUtf8;
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) return BadRecordReason::NotAJsonObject;

  simdjson::dom::element text;
  if (object.at_key(schema_.text_field).get(text) != simdjson::SUCCESS ||
      text.get_string().get(record.text) != simdjson::SUCCESS) {
    return BadRecordReason::MissingTextField;
  }

  record.id.reset();
  simdjson::dom::element id;
  if (object.at_key(schema_.id_field).get(id) == simdjson::SUCCESS) {
    FieldValue value;
    impl.read_value(id, value);
    if (value.kind != FieldKind::Null) record.id = value.text;
  }

  record.fields.resize(schema_.fields.size());
  for (std::size_t i = 0; i < schema_.fields.size(); ++i) {
    FieldValue& value = record.fields[i];
    value = FieldValue{};
    simdjson::dom::element element;
    if (object.at_key(schema_.fields[i]).get(element) == simdjson::SUCCESS) {
      impl.read_value(element, value);
    }
  }
  return std::nullopt;
}

}  // namespace curate::io
