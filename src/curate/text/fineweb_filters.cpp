// datatrove's FineWebQualityFilter (pipeline/filters/fineweb_quality_filter.py), one
// filter per rule. Lines are `text.split("\n")`, so a final newline makes an empty last
// line, as there. Its comparisons are kept exactly: the punctuation ratio must be above
// its threshold, the short-line and duplicate-character ratios below theirs.

#include "curate/text/rule_sets.hpp"
#include "curate/text/unicode_text.hpp"

namespace curate::text {
namespace {

bool ends_with_stop_char(std::string_view line) {
  if (line.empty()) return false;
  const char last = line.back();
  return last == '.' || last == '\'' || last == '"' || last == '!' || last == '?';
}

double line_punctuation_ratio(AnalyzedDocument& document) {
  const auto lines = document.segments(SegmentList::kLines);
  std::size_t ending = 0;
  for (const Segment& line : lines) ending += ends_with_stop_char(line.text) ? 1 : 0;
  return static_cast<double>(ending) / static_cast<double>(lines.size());  // never 0 lines
}

double short_line_ratio(AnalyzedDocument& document, std::size_t max_length) {
  const auto lines = document.segments(SegmentList::kLines);
  std::size_t short_lines = 0;
  for (const Segment& line : lines) short_lines += line.chars <= max_length ? 1 : 0;
  return static_cast<double>(short_lines) / static_cast<double>(lines.size());
}

// find_duplicates over non-blank lines, over len(text.replace("\n", "")).
double duplicate_char_ratio(AnalyzedDocument& document) {
  const CharCounts& counts = document.char_counts();
  return ratio_or_nan(
      static_cast<double>(document.duplicates(SegmentList::kNonBlankLines).duplicate_chars),
      static_cast<double>(counts.chars - counts.newlines));
}

double newline_per_token(AnalyzedDocument& document) {
  return ratio_or_nan(static_cast<double>(document.char_counts().newlines),
                      static_cast<double>(document.words(WordSplit::kUnicode).size()));
}

}  // namespace

void register_fineweb_filters(FilterRegistry& registry) {
  registry.add({"fineweb_line_punct_ratio",
                "FineWeb quality (datatrove): share of lines ending in . ' \" ! ?; keep > "
                "line_punct_thr (or == 0 with line_punct_exclude_zero)",
                {{"line_punct_thr", 0.12, "the share must be above this"},
                 {"line_punct_exclude_zero", false, "keep documents whose share is 0"}},
                [](StageParams& p) {
                  const auto limit = p.require<double>("line_punct_thr");
                  const bool exclude_zero = p.require<bool>("line_punct_exclude_zero");
                  return make_filter("fineweb_line_punct_ratio", line_punctuation_ratio,
                                     KeepPredicate([limit, exclude_zero](double ratio) {
                                       return ratio > limit || (ratio == 0 && exclude_zero);
                                     }));
                }});
  registry.add({"fineweb_short_line_ratio",
                "FineWeb quality (datatrove): share of lines of at most short_line_length "
                "characters; keep < short_line_thr",
                {{"short_line_thr", 0.67, "the share must be below this"},
                 {"short_line_length", 30, "longest line counted as short"}},
                [](StageParams& p) {
                  const auto length =
                      static_cast<std::size_t>(std::max(0, p.require<int>("short_line_length")));
                  return make_filter(
                      "fineweb_short_line_ratio",
                      [length](AnalyzedDocument& d) { return short_line_ratio(d, length); },
                      Threshold::below(p.require<double>("short_line_thr")));
                }});
  registry.add({"fineweb_char_dup_ratio",
                "FineWeb quality (datatrove): characters in duplicated lines / characters "
                "without newlines; keep < char_duplicates_ratio",
                {{"char_duplicates_ratio", 0.01, "the ratio must be below this"}},
                [](StageParams& p) {
                  return make_filter("fineweb_char_dup_ratio", duplicate_char_ratio,
                                     Threshold::below(p.require<double>("char_duplicates_ratio")));
                }});
  registry.add({"fineweb_list_ratio",
                "FineWeb quality (datatrove): newlines per token; keep <= new_line_ratio",
                {{"new_line_ratio", 0.3, "largest ratio kept"}},
                [](StageParams& p) {
                  return make_filter("fineweb_list_ratio", newline_per_token,
                                     Threshold::at_most(p.require<double>("new_line_ratio")));
                }});
}

}  // namespace curate::text
