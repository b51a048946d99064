#include "curate/text/filter_registry.hpp"

#include "curate/core/suggest.hpp"
#include "curate/text/rule_sets.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

namespace curate::text {

void FilterRegistry::add(FilterRegistration registration) {
  if (entries_.contains(registration.name)) {
    throw std::invalid_argument(
        fmt::format("filter '{}' is already registered", registration.name));
  }
  std::string name = registration.name;
  entries_.emplace(std::move(name), std::move(registration));
}

const FilterRegistration& FilterRegistry::get(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    throw std::invalid_argument(
        fmt::format("unknown filter '{}'{}", name, did_you_mean(name, names())));
  }
  return it->second;
}

std::vector<std::string> FilterRegistry::names() const {
  std::vector<std::string> out;
  out.reserve(entries_.size());
  for (const auto& [name, registration] : entries_) out.push_back(name);
  return out;
}

FilterPtr FilterRegistry::create(const std::string& name, const nlohmann::json& params,
                                 const std::string& context) const {
  const std::string where = context.empty() ? fmt::format("filter '{}'", name) : context;
  const FilterRegistration* registration = nullptr;
  try {
    registration = &get(name);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(context.empty() ? error.what()
                                                : fmt::format("{}: {}", context, error.what()));
  }
  nlohmann::json values = params.is_null() ? nlohmann::json::object() : params;
  if (!values.is_object()) {
    throw std::invalid_argument(
        fmt::format("{}: parameters must be a mapping, got {}", where, values.dump()));
  }
  for (const StageParamInfo& info : registration->params) {
    if (!info.default_value.is_null() && !values.contains(info.name)) {
      values[info.name] = info.default_value;
    }
  }
  StageParams stage_params(where, values);
  FilterPtr filter = registration->factory(stage_params);
  const auto unused = stage_params.unused_keys();
  if (!unused.empty()) {
    std::vector<std::string> valid{kEntryInvertKey, kEntryScoreFieldKey};
    for (const StageParamInfo& info : registration->params) valid.push_back(info.name);
    throw std::invalid_argument(fmt::format("{}: unknown parameter '{}' for filter '{}'{}", where,
                                            unused.front(), name,
                                            did_you_mean(unused.front(), valid)));
  }
  return filter;
}

const FilterRegistry& builtin_filters() {
  static const FilterRegistry registry = [] {
    FilterRegistry built;
    register_nemo_char_filters(built);
    register_nemo_line_filters(built);
    register_nemo_word_filters(built);
    register_gopher_quality_filters(built);
    register_gopher_repetition_filters(built);
    register_c4_filters(built);
    register_fineweb_filters(built);
    return built;
  }();
  return registry;
}

FilterEntry parse_filter_entry(const nlohmann::json& entry, const std::string& context,
                               bool save_score, const FilterRegistry& registry) {
  nlohmann::json params = nlohmann::json::object();
  std::string name;
  if (entry.is_string()) {
    name = entry.get<std::string>();  // a bare name: every parameter at its default
  } else if (entry.is_object()) {
    auto it = entry.find(kEntryNameKey);
    if (it == entry.end() || !it->is_string()) {
      throw std::invalid_argument(
          fmt::format("{}: a filter entry needs a 'name' (one of {}), got {}", context,
                      fmt::join(registry.names(), ", "), entry.dump()));
    }
    name = it->get<std::string>();
    params = entry;
    params.erase(kEntryNameKey);
  } else {
    throw std::invalid_argument(fmt::format(
        "{}: a filter entry is a name or a mapping with 'name', got {}", context, entry.dump()));
  }
  FilterEntry parsed;
  const std::string where = fmt::format("{} ({})", context, name);
  if (params.contains(kEntryInvertKey)) {
    if (!params[kEntryInvertKey].is_boolean()) {
      throw std::invalid_argument(fmt::format("{}: 'invert' must be true or false", where));
    }
    parsed.invert = params[kEntryInvertKey].get<bool>();
    params.erase(kEntryInvertKey);
  }
  if (params.contains(kEntryScoreFieldKey)) {
    const auto& field = params[kEntryScoreFieldKey];
    if (!field.is_null() && !field.is_string()) {
      throw std::invalid_argument(fmt::format("{}: 'score_field' must be a column name", where));
    }
    if (field.is_string()) parsed.score_field = field.get<std::string>();
    params.erase(kEntryScoreFieldKey);
  }
  parsed.filter = registry.create(name, params, where);
  if (save_score && parsed.score_field.empty()) parsed.score_field = parsed.filter->name();
  return parsed;
}

std::vector<FilterEntry> parse_filter_list(const nlohmann::json& entries,
                                           const std::string& context, bool save_scores,
                                           const FilterRegistry& registry) {
  if (!entries.is_array()) {
    throw std::invalid_argument(fmt::format(
        "{}: 'filters' must be a list of filter entries, got {}", context, entries.dump()));
  }
  std::vector<FilterEntry> parsed;
  parsed.reserve(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    parsed.push_back(parse_filter_entry(entries[i], fmt::format("{}: filters[{}]", context, i),
                                        save_scores, registry));
  }
  return parsed;
}

}  // namespace curate::text
