#include "curate/cli/config_errors.hpp"

#include "curate/cli/config_error.hpp"

#include <algorithm>
#include <tuple>

namespace curate::cli {
namespace {

// The line in the pipeline file itself: a value from an included file is placed where
// the nearest ancestor written in the pipeline file (the include) is.
int root_line(const SourceMap& sources, std::string pointer) {
  for (;;) {
    const SourceLocation location = sources.locate(pointer);
    if (location.file == sources.root_file()) return location.line;
    if (pointer.empty()) return 0;
    pointer.erase(pointer.rfind('/'));
  }
}

}  // namespace

void ConfigErrors::add(const SourceMap& sources, const std::string& pointer, std::string message) {
  errors_.push_back(Entry{root_line(sources, pointer), sources.locate(pointer).line, errors_.size(),
                          std::move(message)});
}

void ConfigErrors::add(std::string message) {
  errors_.push_back(Entry{0, 0, errors_.size(), std::move(message)});
}

std::vector<std::string> ConfigErrors::messages() const {
  std::vector<const Entry*> sorted;
  for (const Entry& entry : errors_) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(), [](const Entry* a, const Entry* b) {
    return std::tie(a->root_line, a->line, a->sequence) <
           std::tie(b->root_line, b->line, b->sequence);
  });
  std::vector<std::string> out;
  for (const Entry* entry : sorted) out.push_back(entry->message);
  return out;
}

void ConfigErrors::throw_if_any() const {
  if (!errors_.empty()) throw ConfigError(messages());
}

}  // namespace curate::cli
