#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace curate::io {

/// Append `value` to `out` as a quoted JSON string: `"` and `\` escaped, control
/// characters as \n, \t, ... or \u00XX; other bytes, UTF-8 included, copied as they are.
/// Pure; any thread. Hot in the writer: scans and copies runs in bulk.
void append_json_string(std::string& out, std::string_view value);

/// Append `value` as JSON: the shortest text that reads back as the same double (what
/// fmt gives), `null` for NaN and infinities, which JSON cannot express.
void append_json_number(std::string& out, double value);

/// Append `value` as a JSON integer.
void append_json_number(std::string& out, std::int64_t value);

/// Decode the body of a JSON string (the bytes between the quotes) into `out`,
/// replacing its contents: escapes, \uXXXX and surrogate pairs to UTF-8. Returns false
/// for a bad escape, a lone surrogate or a raw control character. Pure; any thread.
bool unescape_json_string(std::string_view body, std::string& out);

}  // namespace curate::io
