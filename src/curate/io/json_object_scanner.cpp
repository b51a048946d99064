#include "curate/io/json_object_scanner.hpp"

#include "curate/io/json_text.hpp"

#include <cstring>

namespace curate::io {
namespace {

constexpr std::size_t kMaxDepth = 1024;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view json, std::size_t at) {
  while (at < json.size() && is_space(json[at])) ++at;
  return at;
}

// `at` is on an opening quote; return one past the closing quote, or npos. memchr finds
// quotes at memory speed; a quote after an odd run of backslashes is escaped.
std::size_t skip_string(std::string_view json, std::size_t at) {
  const char* data = json.data();
  std::size_t from = at + 1;
  while (from < json.size()) {
    const void* found = std::memchr(data + from, '"', json.size() - from);
    if (found == nullptr) return std::string_view::npos;
    const auto quote = static_cast<std::size_t>(static_cast<const char*>(found) - data);
    std::size_t backslashes = 0;
    while (quote - backslashes > at + 1 && data[quote - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return quote + 1;
    from = quote + 1;
  }
  return std::string_view::npos;
}

// `at` is on the first byte of a value; return one past its end, or npos.
std::size_t skip_value(std::string_view json, std::size_t at) {
  if (at >= json.size()) return std::string_view::npos;
  const char first = json[at];
  if (first == '"') return skip_string(json, at);
  if (first == '{' || first == '[') {
    // Nested values are copied, never edited: matching brackets is all that matters.
    char stack[kMaxDepth];
    std::size_t depth = 0;
    while (at < json.size()) {
      const char c = json[at];
      if (c == '"') {
        at = skip_string(json, at);
        if (at == std::string_view::npos) return at;
        continue;
      }
      if (c == '{' || c == '[') {
        if (depth == kMaxDepth) return std::string_view::npos;
        stack[depth++] = c == '{' ? '}' : ']';
      } else if (c == '}' || c == ']') {
        if (depth == 0 || stack[depth - 1] != c) return std::string_view::npos;
        if (--depth == 0) return at + 1;
      }
      ++at;
    }
    return std::string_view::npos;
  }
  const std::size_t begin = at;
  while (at < json.size() && !is_space(json[at]) && json[at] != ',' && json[at] != '}' &&
         json[at] != ']') {
    ++at;
  }
  return at == begin ? std::string_view::npos : at;
}

}  // namespace

bool scan_json_object(std::string_view json, JsonObjectLayout& layout) {
  layout.members.clear();
  std::size_t at = skip_space(json, 0);
  if (at >= json.size() || json[at] != '{') return false;
  layout.open_brace = at;
  at = skip_space(json, at + 1);
  if (at < json.size() && json[at] == '}') {
    layout.close_brace = at;
    return skip_space(json, at + 1) == json.size();
  }
  for (;;) {
    if (at >= json.size() || json[at] != '"') return false;
    JsonMember member;
    member.key_begin = at;
    const std::size_t key_end = skip_string(json, at);
    if (key_end == std::string_view::npos) return false;
    member.key = json.substr(at + 1, key_end - at - 2);
    at = skip_space(json, key_end);
    if (at >= json.size() || json[at] != ':') return false;
    member.value_begin = skip_space(json, at + 1);
    member.value_end = skip_value(json, member.value_begin);
    if (member.value_end == std::string_view::npos) return false;
    layout.members.push_back(member);
    at = skip_space(json, member.value_end);
    if (at >= json.size()) return false;
    if (json[at] == '}') {
      layout.close_brace = at;
      return skip_space(json, at + 1) == json.size();
    }
    if (json[at] != ',') return false;
    at = skip_space(json, at + 1);
  }
}

bool json_key_equals(const JsonMember& member, std::string_view name, std::string& scratch) {
  if (member.key.find('\\') == std::string_view::npos) return member.key == name;
  return unescape_json_string(member.key, scratch) && scratch == name;
}

}  // namespace curate::io
