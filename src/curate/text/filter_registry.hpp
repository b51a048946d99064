#pragma once

#include "curate/core/stage_registry.hpp"
#include "curate/text/document_filter.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace curate::text {

/// Build a filter from its parameters. Every parameter declared with a default is
/// present in `params` when the factory runs (the registry fills defaults in), so
/// factories read them with `params.require<T>(key)`. Called from one thread.
using FilterFactory = std::function<FilterPtr(StageParams&)>;

/// A filter type that YAML can name: its name (also its default drop reason), a
/// summary naming the original rule, its parameters with the published defaults.
struct FilterRegistration {
  std::string name;
  std::string summary;
  std::vector<StageParamInfo> params;
  FilterFactory factory;
};

/// Map filter names to factories. Filled once (see `builtin_filters`), then read-only,
/// so lookups may run concurrently.
class FilterRegistry {
 public:
  /// Add a filter type; throws std::invalid_argument when the name is taken.
  void add(FilterRegistration registration);
  /// Return true when a filter of this name is registered.
  bool contains(const std::string& name) const { return entries_.contains(name); }
  /// Return the registration of `name`; throws std::invalid_argument naming the
  /// closest registered names when unknown.
  const FilterRegistration& get(const std::string& name) const;
  /// Return all names, sorted.
  std::vector<std::string> names() const;

  /// Create filter `name` from a JSON object of parameters: defaults are filled in,
  /// and unknown or ill-typed parameters are errors that name the filter, the
  /// parameter and the closest valid one. `context` prefixes messages ("stage 'x'").
  FilterPtr create(const std::string& name, const nlohmann::json& params,
                   const std::string& context = "") const;

 private:
  std::map<std::string, FilterRegistration> entries_;
};

/// Return the registry of every built-in filter: Gopher quality and repetition, C4,
/// FineWeb quality and NeMo Curator's English heuristics. Built on first call
/// (thread-safe), never modified afterwards.
const FilterRegistry& builtin_filters();

/// One filter as a stage uses it: the filter, whether its decision is inverted (keep
/// what it would drop), and the column its score is saved to (empty: not saved).
struct FilterEntry {
  FilterPtr filter;
  bool invert = false;
  std::string score_field;

  /// Return true when a document with `score` passes this entry.
  bool passes(double score) const { return filter->keep(score) != invert; }
};

/// The keys a filter entry may carry besides the filter's own parameters.
inline constexpr const char* kEntryNameKey = "name";
inline constexpr const char* kEntryInvertKey = "invert";
inline constexpr const char* kEntryScoreFieldKey = "score_field";

/// Parse one entry of a `filters:` list: {name: <filter>, invert: false, score_field:
/// null, <filter parameters>}. `save_score` gives the entry a score field named after
/// the filter when it has none. Throws std::invalid_argument with `context` and the
/// entry's position on any error. Called when a stage is built (one thread).
FilterEntry parse_filter_entry(const nlohmann::json& entry, const std::string& context,
                               bool save_score = false,
                               const FilterRegistry& registry = builtin_filters());

/// Parse a whole `filters:` list (a JSON array of entries).
std::vector<FilterEntry> parse_filter_list(const nlohmann::json& entries,
                                           const std::string& context, bool save_scores = false,
                                           const FilterRegistry& registry = builtin_filters());

}  // namespace curate::text
