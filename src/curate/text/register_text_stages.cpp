#include "curate/text/register_text_stages.hpp"

#include "curate/text/filter_registry.hpp"
#include "curate/text/heuristic_filter_stage.hpp"
#include "curate/text/unicode_normalize_stage.hpp"

#include <fmt/format.h>

#include <array>

namespace curate {
namespace {

using text::FilterEntry;
using text::FilterMode;
using text::HeuristicFilterOptions;
using text::HeuristicFilterStage;

const StageParamInfo kRejectedDir{"rejected_dir", nullptr,
                                  "folder for dropped documents as JSONL with their reason"};
const StageParamInfo kTextField{"text_field", nullptr, "text column (default: the batch's)"};
const StageParamInfo kInvert{"invert", false, "keep the documents the filter would drop"};
const StageParamInfo kFilter{"filter", nullptr,
                             "one filter entry: {name: <filter>, <its parameters>}"};

std::string context(const StageParams& params) {
  return fmt::format("stage '{}'", params.stage_name());
}

// Read `filter:`, then let top-level `invert` / `score_field` override the entry's.
FilterEntry read_entry(StageParams& params, bool save_score) {
  FilterEntry entry =
      text::parse_filter_entry(params.require<nlohmann::json>("filter"), context(params));
  if (params.contains("invert")) entry.invert = params.get<bool>("invert", false);
  entry.score_field = params.get<std::string>("score_field", entry.score_field);
  if (save_score && entry.score_field.empty()) entry.score_field = entry.filter->name();
  return entry;
}

StagePtr make_stage(const std::string& name, std::vector<FilterEntry> entries, FilterMode mode,
                    StageParams& params) {
  HeuristicFilterOptions options;
  options.filters = std::move(entries);
  options.mode = mode;
  if (mode == FilterMode::kScoreAndFilter)
    options.rejected_dir = params.get<std::string>("rejected_dir", "");
  options.text_field = params.get<std::string>("text_field", "");
  return std::make_shared<HeuristicFilterStage>(name, std::move(options));
}

// Every built-in filter is also a stage of its own name: a score_filter of that filter.
void register_filter_stage(StageRegistry& registry, const text::FilterRegistration& filter) {
  static constexpr std::array<const char*, 4> kStageKeys = {"invert", "score_field", "rejected_dir",
                                                            "text_field"};
  StageRegistration registration{filter.name, filter.summary, filter.params, {}};
  registration.params.push_back(kInvert);
  registration.params.push_back({"score_field", nullptr, "column to save the score in"});
  registration.params.push_back(kRejectedDir);
  registration.params.push_back(kTextField);
  registration.factory = [name = filter.name](StageParams& params) {
    nlohmann::json filter_params = nlohmann::json::object();
    for (const auto& [key, value] : params.values().items()) {
      bool stage_key = false;
      for (const char* reserved : kStageKeys) stage_key |= key == reserved;
      if (!stage_key) filter_params[key] = params.get<nlohmann::json>(key, nullptr);
    }
    FilterEntry entry;
    entry.filter = text::builtin_filters().create(name, filter_params, context(params));
    entry.invert = params.get<bool>("invert", false);
    entry.score_field = params.get<std::string>("score_field", "");
    return make_stage(name, {entry}, FilterMode::kScoreAndFilter, params);
  };
  registry.add(std::move(registration));
}

}  // namespace

void register_text_stages(StageRegistry& registry) {
  registry.add(
      {"heuristic_filter",
       "Run a list of heuristic filters over one analysis per document; drop on the "
       "first failing filter (see examples/filters/ for the published rule sets)",
       {{"filters", nullptr, "list of filter entries: {name: <filter>, <parameters>}"},
        {"save_scores", false, "save every score in a Float64 column named after its filter"},
        kRejectedDir,
        kTextField},
       [](StageParams& params) {
         const bool save = params.get<bool>("save_scores", false);
         auto entries = text::parse_filter_list(params.require<nlohmann::json>("filters"),
                                                context(params), save);
         return make_stage("heuristic_filter", std::move(entries), FilterMode::kScoreAndFilter,
                           params);
       }});
  registry.add({"score_filter",
                "Score documents with one filter, optionally save the score, drop those it rejects "
                "(NeMo Curator ScoreFilter)",
                {kFilter,
                 {"score_field", nullptr, "column to save the score in"},
                 kInvert,
                 kRejectedDir,
                 kTextField},
                [](StageParams& params) {
                  return make_stage("score_filter", {read_entry(params, false)},
                                    FilterMode::kScoreAndFilter, params);
                }});
  registry.add({"score",
                "Score documents with one filter into a Float64 column, dropping nothing "
                "(NeMo Curator Score)",
                {kFilter,
                 {"score_field", nullptr, "column for the score (default: the filter's name)"},
                 kTextField},
                [](StageParams& params) {
                  return make_stage("score", {read_entry(params, true)}, FilterMode::kScoreOnly,
                                    params);
                }});
  registry.add({"filter",
                "Drop documents on a score column written earlier, with one filter's keep rule "
                "(NeMo Curator Filter)",
                {kFilter,
                 {"score_field", nullptr, "the score column to read (required)"},
                 kInvert,
                 kRejectedDir},
                [](StageParams& params) {
                  FilterEntry entry = read_entry(params, false);
                  return std::make_shared<text::ScoreColumnFilterStage>(
                      "filter", std::move(entry), params.get<std::string>("rejected_dir", ""));
                }});
  registry.add({"normalize_unicode",
                "Rewrite the text in a Unicode normalization form (ICU): nfc, nfkc, nfd or nfkd",
                {{"form", "nfc", "normalization form"}, kTextField},
                [](StageParams& params) {
                  return std::make_shared<text::UnicodeNormalizeStage>(
                      "normalize_unicode",
                      text::parse_normalization_form(params.get<std::string>("form", "nfc")),
                      params.get<std::string>("text_field", ""));
                }});
  const text::FilterRegistry& filters = text::builtin_filters();
  for (const std::string& name : filters.names())
    register_filter_stage(registry, filters.get(name));
}

}  // namespace curate
