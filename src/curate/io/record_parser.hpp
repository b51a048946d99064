#pragma once

#include "curate/io/bad_record_sink.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace curate::io {

/// Which fields of a JSONL record become columns.
struct RecordSchema {
  std::string text_field = "text";  ///< required; a string
  std::string id_field = "id";      ///< optional in records; generated when absent or null
  std::vector<std::string> fields;  ///< extra fields copied into typed columns
};

/// The JSON type of one field of one record.
enum class FieldKind : std::uint8_t { Missing, Null, Bool, Int64, Double, String, Json };

/// One field's value; views stay valid until the parser's next `parse`.
struct FieldValue {
  FieldKind kind = FieldKind::Missing;
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0.0;    ///< also set for Int64, so a column can widen to float64
  std::string_view text;  ///< String: the unescaped value; Json and numbers: JSON text
};

/// The columns' values of one good record; views stay valid until the next `parse`.
struct ParsedRecord {
  std::string_view text;               ///< the unescaped text field
  std::optional<std::string_view> id;  ///< the id as text, or nullopt when absent or null
  std::vector<FieldValue> fields;      ///< parallel to RecordSchema::fields
};

/// Parse JSONL lines with simdjson and pick out the schema's fields. The whole line is
/// validated (structure, every scalar, UTF-8), so a record that passes is known to be one
/// well-formed JSON object and can be written back byte for byte. Uses simdjson's DOM
/// parser, whose both stages run the CPU's best kernel chosen at run time (On-Demand is
/// compiled for the build's baseline x86-64 in Debian's package, several times slower).
/// Allocates nothing per line once its buffers have grown. One thread at a time.
class RecordParser {
 public:
  /// Prepare a parser for `schema`.
  explicit RecordParser(RecordSchema schema);
  ~RecordParser();
  RecordParser(RecordParser&&) noexcept;
  RecordParser& operator=(RecordParser&&) noexcept;

  /// Return true when `line` holds only spaces, tabs and carriage returns: not a record
  /// and not an error.
  static bool is_blank(std::string_view line);

  /// Parse one line into `record`, or return why it is bad. At least 64 readable bytes
  /// must follow `line` in memory (LineReader guarantees it).
  std::optional<BadRecordReason> parse(std::string_view line, ParsedRecord& record);

  /// Return the schema the parser picks fields by.
  const RecordSchema& schema() const { return schema_; }

 private:
  struct Impl;

  RecordSchema schema_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace curate::io
