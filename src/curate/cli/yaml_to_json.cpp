#include "curate/cli/yaml_to_json.hpp"

#include "curate/cli/config_error.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

namespace curate::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kIncludeKey = "include";
// Deep enough for rule sets that include rule sets; shallow enough to stop a runaway.
constexpr std::size_t kMaxIncludeDepth = 16;

bool is_digits(std::string_view text, int base) {
  if (text.empty()) return false;
  return std::all_of(text.begin(), text.end(), [base](char c) {
    if (c >= '0' && c <= '9') return c - '0' < base;
    const char lower = static_cast<char>(c | 0x20);
    return base == 16 && lower >= 'a' && lower <= 'f';
  });
}

std::optional<json> parse_integer(std::string_view text) {
  bool negative = false;
  std::string_view digits = text;
  if (!digits.empty() && (digits.front() == '-' || digits.front() == '+')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'o')) {
    // The core schema allows no sign on hex and octal.
    if (digits.size() != text.size()) return std::nullopt;
    base = digits[1] == 'x' ? 16 : 8;
    digits.remove_prefix(2);
  }
  if (!is_digits(digits, base)) return std::nullopt;
  std::uint64_t magnitude = 0;
  const auto [end, error] =
      std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
  if (error == std::errc() && end == digits.data() + digits.size()) {
    if (!negative) {
      if (magnitude <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return json(static_cast<std::int64_t>(magnitude));
      }
      return json(magnitude);
    }
    if (magnitude <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1) {
      return json(static_cast<std::int64_t>(0 - magnitude));
    }
  }
  // Too many digits for 64 bits: keep the number, as a float.
  double value = 0.0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return json(negative ? -value : value);
}

// [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
bool is_core_float(std::string_view text) {
  std::size_t i = 0;
  auto digits = [&]() {
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i - start;
  };
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
  const std::size_t integer_digits = digits();
  std::size_t fraction_digits = 0;
  bool dot = false;
  if (i < text.size() && text[i] == '.') {
    dot = true;
    ++i;
    fraction_digits = digits();
  }
  if (integer_digits == 0 && fraction_digits == 0) return false;
  if (integer_digits == 0 && !dot) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    if (digits() == 0) return false;
  }
  return i == text.size();
}

std::optional<json> parse_float(std::string_view text) {
  std::string_view body = text;
  double sign = 1.0;
  if (!body.empty() && (body.front() == '-' || body.front() == '+')) {
    sign = body.front() == '-' ? -1.0 : 1.0;
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    return json(sign * std::numeric_limits<double>::infinity());
  }
  if (text == ".nan" || text == ".NaN" || text == ".NAN") {
    return json(std::numeric_limits<double>::quiet_NaN());
  }
  if (!is_core_float(text)) return std::nullopt;
  double value = 0.0;
  // from_chars rejects a leading '+'.
  std::from_chars(body.data(), body.data() + body.size(), value);
  return json(sign * value);
}

std::optional<json> parse_bool(std::string_view text) {
  if (text == "true" || text == "True" || text == "TRUE") return json(true);
  if (text == "false" || text == "False" || text == "FALSE") return json(false);
  return std::nullopt;
}

bool is_null_text(std::string_view text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

SourceLocation location_of(const YAML::Node& node, const fs::path& file) {
  const YAML::Mark mark = node.Mark();
  return SourceLocation{file, mark.is_null() ? 0 : mark.line + 1};
}

[[noreturn]] void fail_at(const YAML::Node& node, const fs::path& file,
                          const std::string& message) {
  throw ConfigError(fmt::format("{}: {}", location_of(node, file).to_string(), message));
}

json typed_scalar(const YAML::Node& node, const fs::path& file) {
  const std::string& text = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return json(text);
  if (tag == "?" || tag.empty()) return parse_yaml_scalar(text);
  std::optional<json> value;
  if (tag == "tag:yaml.org,2002:int") value = parse_integer(text);
  if (tag == "tag:yaml.org,2002:float") {
    value = parse_float(text);
    if (!value) {
      if (auto integer = parse_integer(text)) value = json(integer->get<double>());
    }
  }
  if (tag == "tag:yaml.org,2002:bool") value = parse_bool(text);
  if (tag == "tag:yaml.org,2002:null" && is_null_text(text)) value = json();
  if (value) return *value;
  fail_at(node, file, fmt::format("cannot read '{}' as {}", text, tag));
}

struct Loader {
  SourceMap* map;
  std::vector<fs::path> include_stack;

  json convert(const YAML::Node& node, const fs::path& file, const std::string& pointer) {
    if (map != nullptr) map->add(pointer, location_of(node, file));
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return json();
      case YAML::NodeType::Scalar:
        return typed_scalar(node, file);
      case YAML::NodeType::Sequence: {
        json out = json::array();
        for (std::size_t i = 0; i < node.size(); ++i) {
          out.push_back(convert(node[i], file, fmt::format("{}/{}", pointer, i)));
        }
        return out;
      }
      case YAML::NodeType::Map:
        break;
    }
    if (node.size() == 1) {
      const auto entry = node.begin();
      if (entry->first.IsScalar() && entry->first.Scalar() == kIncludeKey &&
          entry->second.IsScalar()) {
        return include(entry->second, file, pointer);
      }
    }
    json out = json::object();
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) fail_at(entry.first, file, "mapping keys must be plain strings");
      const std::string& key = entry.first.Scalar();
      if (out.contains(key)) fail_at(entry.first, file, fmt::format("duplicate key '{}'", key));
      out[key] = convert(entry.second, file, pointer + "/" + pointer_segment(key));
    }
    return out;
  }

  json include(const YAML::Node& target, const fs::path& file, const std::string& pointer) {
    const fs::path path = file.parent_path() / target.Scalar();
    if (include_stack.size() >= kMaxIncludeDepth) {
      fail_at(target, file, fmt::format("includes nest deeper than {} files", kMaxIncludeDepth));
    }
    std::error_code error;
    const fs::path canonical = fs::weakly_canonical(path, error);
    if (std::find(include_stack.begin(), include_stack.end(), canonical) != include_stack.end()) {
      fail_at(target, file,
              fmt::format("'{}' includes itself (directly or through other files)", path.string()));
    }
    if (!fs::is_regular_file(path)) {
      fail_at(target, file, fmt::format("include: no such file '{}'", path.string()));
    }
    include_stack.push_back(canonical);
    json value = load(path, pointer);
    include_stack.pop_back();
    return value;
  }

  json load(const fs::path& path, const std::string& pointer) {
    YAML::Node root;
    try {
      root = YAML::LoadFile(path.string());
    } catch (const YAML::BadFile&) {
      throw ConfigError(fmt::format("{}: cannot open the file", path.string()));
    } catch (const YAML::Exception& error) {
      const std::string where = error.mark.is_null()
                                    ? path.string()
                                    : fmt::format("{}:{}", path.string(), error.mark.line + 1);
      throw ConfigError(fmt::format("{}: invalid YAML: {}", where, error.msg));
    }
    return convert(root, path, pointer);
  }
};

}  // namespace

std::string SourceLocation::to_string() const {
  return line > 0 ? fmt::format("{}:{}", file.string(), line) : file.string();
}

void SourceMap::add(const std::string& pointer, SourceLocation location) {
  locations_.insert_or_assign(pointer, std::move(location));
}

SourceLocation SourceMap::locate(const std::string& pointer) const {
  std::string current = pointer;
  while (true) {
    if (auto it = locations_.find(current); it != locations_.end()) return it->second;
    if (current.empty()) return SourceLocation{root_file_, 0};
    current.erase(current.rfind('/'));
  }
}

std::string pointer_segment(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

json parse_yaml_scalar(std::string_view text) {
  if (is_null_text(text)) return json();
  if (auto value = parse_bool(text)) return *value;
  if (auto value = parse_integer(text)) return *value;
  if (auto value = parse_float(text)) return *value;
  return json(std::string(text));
}

json parse_yaml_value(std::string_view text, std::string_view what) {
  const std::string source(text);
  try {
    const YAML::Node node = YAML::Load(source);
    Loader loader{nullptr, {}};
    return loader.convert(node, fs::path(std::string(what)), "");
  } catch (const YAML::Exception& error) {
    throw ConfigError(
        fmt::format("{}: '{}' is not a valid YAML value: {}", what, source, error.msg));
  }
}

json yaml_to_json(const YAML::Node& node, const fs::path& file, SourceMap* map,
                  const std::string& pointer) {
  Loader loader{map, {}};
  return loader.convert(node, file, pointer);
}

json load_yaml_file(const fs::path& file, SourceMap* map) {
  if (map != nullptr) map->set_root_file(file);
  Loader loader{map, {}};
  std::error_code error;
  loader.include_stack.push_back(fs::weakly_canonical(file, error));
  return loader.load(file, "");
}

}  // namespace curate::cli
