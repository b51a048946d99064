// `--set key=value`: edits the loaded document before any stage is built, so a value
// set on the command line is checked exactly like one written in the file.

#include "curate/cli/config_error.hpp"
#include "curate/cli/pipeline_config.hpp"
#include "curate/core/suggest.hpp"

#include <fmt/format.h>

#include <charconv>
#include <vector>

namespace curate::cli {
namespace {

using nlohmann::json;

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    segments.emplace_back(path.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return segments;
}

std::optional<std::size_t> as_index(const std::string& segment) {
  std::size_t index = 0;
  const auto [end, error] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
  if (segment.empty() || error != std::errc() || end != segment.data() + segment.size()) {
    return std::nullopt;
  }
  return index;
}

// An element of a list by index, or by its `name`, else its `stage` (the registry name).
json& list_element(json& list, const std::string& segment, const std::string& where) {
  if (auto index = as_index(segment)) {
    if (*index < list.size()) return list[*index];
    if (*index == list.size()) return list.emplace_back(json());
    throw ConfigError(
        fmt::format("{}: index {} is past the end of a list of {}", where, *index, list.size()));
  }
  std::vector<std::string> candidates;
  for (const char* field : {"name", "stage"}) {
    std::vector<std::size_t> matches;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const json& element = list[i];
      if (!element.is_object() || !element.contains(field) || !element[field].is_string()) continue;
      const auto& value = element[field].get_ref<const std::string&>();
      candidates.push_back(value);
      if (value == segment) matches.push_back(i);
    }
    if (matches.size() == 1) return list[matches.front()];
    if (matches.size() > 1) {
      throw ConfigError(
          fmt::format("{}: {} list elements have {} '{}' (indices {} and {}); address one by index",
                      where, matches.size(), field, segment, matches[0], matches[1]));
    }
  }
  throw ConfigError(fmt::format("{}: no list element is named '{}'{}; use an index 0..{}", where,
                                segment, did_you_mean(segment, candidates),
                                list.empty() ? 0 : list.size() - 1));
}

}  // namespace

void apply_set(json& document, std::string_view assignment) {
  const std::size_t equals = assignment.find('=');
  const std::string where = fmt::format("--set {}", assignment);
  if (equals == std::string_view::npos || equals == 0) {
    throw ConfigError(
        fmt::format("{}: expected key=value, e.g. stages.0.params.paths=data/x", where));
  }
  const std::string_view path = assignment.substr(0, equals);
  json value = parse_yaml_value(assignment.substr(equals + 1), where);

  json* node = &document;
  std::string walked;
  for (const std::string& segment : split_path(path)) {
    if (segment.empty())
      throw ConfigError(fmt::format("{}: empty path segment in '{}'", where, path));
    if (node->is_null()) *node = json::object();
    if (node->is_array()) {
      node = &list_element(*node, segment, where);
    } else if (node->is_object()) {
      node = &(*node)[segment];
    } else {
      throw ConfigError(fmt::format("{}: '{}' holds {}, which has no field '{}'", where,
                                    walked.empty() ? "the document" : walked, node->dump(),
                                    segment));
    }
    walked += walked.empty() ? segment : "." + segment;
  }
  *node = std::move(value);
}

}  // namespace curate::cli
