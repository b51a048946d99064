#pragma once

#include "curate/cli/yaml_to_json.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace curate::cli {

/// The mistakes found while checking one pipeline file, so that all of them are reported
/// at once (each with file, line and stage) rather than one per run. Each mistake has a
/// place in the file, from the JSON pointer of the value it is about: the line, in the
/// pipeline file itself, of that value or of the include it came from, then the line in
/// the included file. Used by the driver thread only.
class ConfigErrors {
 public:
  /// Record `message` (worded in full: "file:line: stages[1] (x): what") about the value
  /// at `pointer` of a document whose locations are in `sources`.
  void add(const SourceMap& sources, const std::string& pointer, std::string message);
  /// Record a mistake that has no place in the file (a `--set`); it comes first.
  void add(std::string message);

  /// Return true when nothing was recorded.
  bool empty() const { return errors_.empty(); }
  /// Return the number of mistakes recorded.
  std::size_t size() const { return errors_.size(); }
  /// Return the messages in file order (ties in the order they were recorded).
  std::vector<std::string> messages() const;
  /// Throw one ConfigError holding every message in file order; do nothing when empty.
  void throw_if_any() const;

 private:
  struct Entry {
    int root_line = 0;  // line in the pipeline file (0: none, first)
    int line = 0;       // line in the file the value is in
    std::size_t sequence = 0;
    std::string message;
  };
  std::vector<Entry> errors_;
};

}  // namespace curate::cli
