#pragma once

// Pipeline files are YAML; everything after loading works on nlohmann::json. This file
// converts, types scalars the way the YAML 1.2 core schema does (yaml-cpp only gives
// strings), resolves `{include: PATH}` and remembers where each value was written so
// that errors can name the file and line.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace YAML {
class Node;
}

namespace curate::cli {

/// Where a value of a loaded document was written: a file and a 1-based line (0 when
/// unknown). Plain value type.
struct SourceLocation {
  std::filesystem::path file;  ///< as given to the loader (relative stays relative)
  int line = 0;                ///< 1-based; 0 when unknown

  /// Render as "file:line", or "file" when the line is unknown.
  std::string to_string() const;
};

/// Map JSON pointers ("/stages/1/params") of a loaded document to their locations.
/// Filled by the loader, read when errors are worded; not thread-safe.
class SourceMap {
 public:
  /// Remember that the value at `pointer` was written at `location`.
  void add(const std::string& pointer, SourceLocation location);
  /// Return the location of `pointer`, else of its nearest ancestor that has one, else
  /// the root file with no line.
  SourceLocation locate(const std::string& pointer) const;
  /// Return the file the document was loaded from.
  const std::filesystem::path& root_file() const { return root_file_; }
  /// Set the file reported for pointers that have no location of their own.
  void set_root_file(std::filesystem::path file) { root_file_ = std::move(file); }

 private:
  std::filesystem::path root_file_;
  std::map<std::string, SourceLocation> locations_;
};

/// Return `key` escaped for use as one JSON pointer segment ("a/b" -> "a~1b").
std::string pointer_segment(std::string_view key);

/// Type a plain (unquoted, untagged) YAML scalar as the YAML 1.2 core schema does:
/// null (~, null, empty), booleans (true/True/TRUE, false...), integers (decimal, 0o
/// octal, 0x hex; beyond 64 bits a float), floats (1.5, 1e3, .inf, -.inf, .nan),
/// anything else a string. Pure.
nlohmann::json parse_yaml_scalar(std::string_view text);

/// Parse a YAML value given on the command line (`--set key=VALUE`): a scalar typed as
/// `parse_yaml_scalar`, or a flow collection such as `[a, b]` or `{x: 1}`. Throws
/// ConfigError naming `what` when the text is not valid YAML.
nlohmann::json parse_yaml_value(std::string_view text, std::string_view what);

/// Convert a yaml-cpp node to JSON: mappings become objects (string keys only, duplicate
/// keys are errors), sequences arrays, scalars typed by their tag (quoted: string;
/// plain: `parse_yaml_scalar`; !!str, !!int, !!float, !!bool, !!null honoured).
/// `{include: PATH}` mappings are replaced by the content of PATH, relative to the
/// directory of `file`, recursively (cycles are errors). Locations are recorded in
/// `map` under `pointer` when given. Throws ConfigError naming file and line.
nlohmann::json yaml_to_json(const YAML::Node& node, const std::filesystem::path& file,
                            SourceMap* map = nullptr, const std::string& pointer = "");

/// Load a YAML file as JSON with `yaml_to_json` (includes resolved). Throws ConfigError
/// naming the file, and the line for syntax errors, when it cannot be read or parsed.
nlohmann::json load_yaml_file(const std::filesystem::path& file, SourceMap* map = nullptr);

}  // namespace curate::cli
