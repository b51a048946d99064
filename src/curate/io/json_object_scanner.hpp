#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace curate::io {

/// Where one top-level member of a JSON object lies in its text (byte offsets).
struct JsonMember {
  std::size_t key_begin = 0;    ///< the opening quote of the key
  std::size_t value_begin = 0;  ///< the first byte of the value
  std::size_t value_end = 0;    ///< one past the last byte of the value
  std::string_view key;         ///< the key's raw bytes between the quotes (escapes kept)
};

/// The layout of a JSON object's text: its members in order and its closing brace.
struct JsonObjectLayout {
  std::vector<JsonMember> members;
  std::size_t open_brace = 0;
  std::size_t close_brace = 0;
};

/// Find the top-level members of `json`, one JSON object with optional surrounding
/// whitespace, so the writer can replace, drop or add members while copying every other
/// byte. Fills `layout` (reusing its storage) and returns true, or returns false when
/// the text is not shaped like an object. Checks the shape (strings, nesting, commas),
/// not every scalar: it is meant for lines the reader already validated. Never reads
/// outside `json`. Pure; any thread.
bool scan_json_object(std::string_view json, JsonObjectLayout& layout);

/// Return true when the raw key bytes of `member` spell `name` (decoding escapes when
/// the key has any); `scratch` is reused storage.
bool json_key_equals(const JsonMember& member, std::string_view name, std::string& scratch);

}  // namespace curate::io
