// NeMo Curator's line- and paragraph-level English heuristics
// (nemo_curator/filters/heuristic_filter.py, nemo_curator/utils/text_utils.py).
// NeMo's "sentences" are the lines with a non-whitespace character (get_sentences) and
// its paragraphs are `text.split("\n\n")` (get_paragraphs). A ratio over zero lines is
// a ZeroDivisionError there; here it is NaN, which drops the document.

#include "curate/text/keyword_set.hpp"
#include "curate/text/rule_sets.hpp"
#include "curate/text/unicode_text.hpp"

#include <array>
#include <string>
#include <vector>

namespace curate::text {
namespace {

std::vector<std::string> policy_substrings() {
  // constants.policy_substrings, already lower case as NeMo Curator stores them.
  return {
      "terms of use",
      "privacy policy",
      "cookie policy",
      "uses cookies",
      "privacy overview",
      "use of cookies",
      "use cookies",
      "privacy & cookies policy",
      "privacy and cookies policy",
      "this website uses cookies to improve your experience while you navigate through the "
      "website. out of these cookies, the cookies that are categorized as necessary are stored "
      "on your browser as they are essential for the working of basic functionalities of the "
      "website. we also use third-party cookies that help us analyze and understand how you use "
      "this website. these cookies will be stored in your browser only with your consent. you "
      "also have the option to opt-out of these cookies. but opting out of some of these cookies "
      "may have an effect on your browsing experience.",
      "necessary cookies are absolutely essential for the website to function properly. this "
      "category only includes cookies that ensures basic functionalities and security features "
      "of the website. these cookies do not store any personal information.",
      "any cookies that may not be particularly necessary for the website to function and is "
      "used specifically to collect user personal data via analytics, ads, other embedded "
      "contents are termed as non-necessary cookies. it is mandatory to procure user consent "
      "prior to running these cookies on your website.",
      "this site uses cookies, including for analytics, personalization, and advertising "
      "purposes. for more information or to change your cookie settings, click here.",
      "if you continue to browse this site without changing your cookie settings, you agree to "
      "this use. acceptread more",
  };
}

const KeywordSet& policy_keywords() {
  static const KeywordSet keywords(policy_substrings());
  return keywords;
}

const KeywordSet& lorem_ipsum() {
  static const KeywordSet keywords({"lorem ipsum"});
  return keywords;
}

const KeywordSet& any_boilerplate() {
  static const KeywordSet keywords = [] {
    std::vector<std::string> all = policy_substrings();
    all.push_back("lorem ipsum");
    return KeywordSet(all);
  }();
  return keywords;
}

// BoilerPlateStringFilter: share of paragraphs holding a policy phrase, or 1.0 as soon as
// a paragraph holds "lorem ipsum". A phrase never spans "\n\n", so one scan of the whole
// text rules out the common case (no phrase at all) before any paragraph is looked at.
double boilerplate_ratio(AnalyzedDocument& document) {
  if (!any_boilerplate().contains_any(document.text())) return 0.0;
  if (lorem_ipsum().contains_any(document.text())) return 1.0;
  const auto paragraphs = document.segments(SegmentList::kParagraphs);
  std::size_t boilerplate = 0;
  for (const Segment& paragraph : paragraphs) {
    boilerplate += policy_keywords().contains_any(paragraph.text) ? 1 : 0;
  }
  return static_cast<double>(boilerplate) / static_cast<double>(paragraphs.size());
}

// RepeatedLinesFilter / RepeatedParagraphsFilter: len(set(items)) / len(items).
double unique_item_fraction(AnalyzedDocument& document, SegmentList list) {
  const DuplicateStats& stats = document.duplicates(list);
  return ratio_or_nan(static_cast<double>(stats.items - stats.duplicate_items),
                      static_cast<double>(stats.items));
}

// RepeatedLinesByCharFilter / RepeatedParagraphsByCharFilter:
// len("".join(set(items))) / len("".join(items)).
double unique_char_fraction(AnalyzedDocument& document, SegmentList list) {
  const DuplicateStats& stats = document.duplicates(list);
  return ratio_or_nan(static_cast<double>(stats.chars - stats.duplicate_chars),
                      static_cast<double>(stats.chars));
}

template <typename Predicate>
double line_fraction(AnalyzedDocument& document, Predicate predicate) {
  const auto lines = document.segments(SegmentList::kNonBlankLines);
  std::size_t matching = 0;
  for (const Segment& line : lines) matching += predicate(strip(line.text)) ? 1 : 0;
  return ratio_or_nan(static_cast<double>(matching), static_cast<double>(lines.size()));
}

// PunctuationFilter: lines whose stripped text does not end with an end mark.
bool lacks_end_mark(std::string_view line) {
  if (line.empty()) return true;
  const char last = line.back();
  return !(last == '.' || last == '?' || last == '!' || last == '"' || last == '\'');
}

// EllipsisFilter: constants.ellipsis_marks, compared after `lower()`.
bool ends_with_ellipsis_mark(std::string_view line) {
  static constexpr std::array<std::string_view, 8> kMarks = {
      "...", "[...]", "\u2026", "(...)", "[\u2026]", "-\u00bb", "read more..", "read more"};
  for (std::string_view mark : kMarks) {
    if (ends_with_ascii_ci(line, mark)) return true;
  }
  return false;
}

// BulletsFilter: constants.bullet_list.
bool starts_with_bullet(std::string_view line) {
  static constexpr std::array<std::string_view, 12> kBullets = {
      "\u2022", "\u2023", "\u2043", "\u204c", "\u204d", "\u2219",
      "\u25cb", "\u25cf", "\u25d8", "\u25e6", "\u29be", "\u29bf"};
  if (line.empty() || static_cast<unsigned char>(line[0]) < 0x80) return false;
  for (std::string_view bullet : kBullets) {
    if (line.starts_with(bullet)) return true;
  }
  return false;
}

FilterRegistration ratio_rule(std::string name, std::string summary, std::string param,
                              double fallback, bool keep_at_least, Statistic statistic) {
  FilterRegistration registration{name, std::move(summary), {{param, fallback, "threshold"}}, {}};
  registration.factory = [name, param, keep_at_least, statistic](StageParams& p) {
    const auto limit = p.require<double>(param);
    return make_filter(name, statistic,
                       keep_at_least ? Threshold::at_least(limit) : Threshold::at_most(limit));
  };
  return registration;
}

}  // namespace

void register_nemo_line_filters(FilterRegistry& registry) {
  registry.add({"boilerplate_string_ratio",
                "NeMo Curator BoilerPlateStringFilter: share of paragraphs with a policy phrase "
                "(1.0 with 'lorem ipsum'); keep <= max",
                {{"max_boilerplate_string_ratio", 0.4, "largest share kept"},
                 {"remove_if_at_top_or_bottom", true,
                  "accepted for compatibility; NeMo Curator does not use it either"}},
                [](StageParams& p) {
                  p.require<bool>("remove_if_at_top_or_bottom");
                  return make_filter(
                      "boilerplate_string_ratio", boilerplate_ratio,
                      Threshold::at_most(p.require<double>("max_boilerplate_string_ratio")));
                }});
  registry.add(ratio_rule(
      "repeated_lines", "NeMo Curator RepeatedLinesFilter: unique lines / lines; keep >= min",
      "max_repeated_line_fraction", 0.7, true,
      [](AnalyzedDocument& d) { return unique_item_fraction(d, SegmentList::kNonBlankLines); }));
  registry.add(ratio_rule(
      "repeated_paragraphs",
      "NeMo Curator RepeatedParagraphsFilter: unique paragraphs / paragraphs; keep >= min",
      "max_repeated_paragraphs_ratio", 0.7, true,
      [](AnalyzedDocument& d) { return unique_item_fraction(d, SegmentList::kParagraphs); }));
  registry.add(ratio_rule(
      "repeated_lines_char",
      "NeMo Curator RepeatedLinesByCharFilter: characters of unique lines / of all lines; "
      "keep >= min",
      "max_repeated_lines_char_ratio", 0.8, true,
      [](AnalyzedDocument& d) { return unique_char_fraction(d, SegmentList::kNonBlankLines); }));
  registry.add(ratio_rule(
      "repeated_paragraphs_char",
      "NeMo Curator RepeatedParagraphsByCharFilter: characters of unique paragraphs / of all "
      "paragraphs; keep >= min",
      "max_repeated_paragraphs_char_ratio", 0.8, true,
      [](AnalyzedDocument& d) { return unique_char_fraction(d, SegmentList::kParagraphs); }));
  registry.add(ratio_rule(
      "punctuation",
      "NeMo Curator PunctuationFilter: share of lines not ending in . ? ! \" '; keep <= max",
      "max_num_sentences_without_endmark_ratio", 0.85, false,
      [](AnalyzedDocument& d) { return line_fraction(d, lacks_end_mark); }));
  registry.add(
      ratio_rule("ellipsis",
                 "NeMo Curator EllipsisFilter: share of lines ending with an ellipsis; keep <= max",
                 "max_num_lines_ending_with_ellipsis_ratio", 0.3, false,
                 [](AnalyzedDocument& d) { return line_fraction(d, ends_with_ellipsis_mark); }));
  registry.add(
      ratio_rule("bullet_ratio",
                 "NeMo Curator BulletsFilter: share of lines starting with a bullet; keep <= max",
                 "max_bullet_lines_ratio", 0.9, false,
                 [](AnalyzedDocument& d) { return line_fraction(d, starts_with_bullet); }));
}

}  // namespace curate::text
