// datatrove's GopherRepetitionFilter (pipeline/filters/gopher_repetition_filter.py),
// after Gopher (Rae et al. 2021, table A1), one filter per rule. Paragraphs are
// `re.split(r"\n{2,}", text.strip())`, lines `re.split("\n+", text)`, and n-grams are
// over the same tokens as GopherQuality (UAX #29 segments without whitespace).
// Character fractions are over len(text); an empty text is NaN (dropped) where
// datatrove divides by zero.

#include "curate/text/rule_sets.hpp"

#include <fmt/format.h>

namespace curate::text {
namespace {

double duplicate_item_fraction(AnalyzedDocument& document, SegmentList list) {
  const DuplicateStats& stats = document.duplicates(list);
  return ratio_or_nan(static_cast<double>(stats.duplicate_items), static_cast<double>(stats.items));
}

double duplicate_char_fraction(AnalyzedDocument& document, SegmentList list) {
  return ratio_or_nan(static_cast<double>(document.duplicates(list).duplicate_chars),
                      static_cast<double>(document.num_chars()));
}

// find_top_duplicate: len(" ".join(top n-gram)) * its count, over len(text). No n-gram
// (fewer than n tokens) passes: datatrove skips the rule.
double top_ngram_fraction(AnalyzedDocument& document, std::size_t n) {
  const auto tokens = document.words(WordSplit::kUnicode);
  if (tokens.size() < n) return 0.0;
  NgramIndex& ngrams = document.ngrams(WordSplit::kUnicode);
  const std::size_t top = ngrams.most_frequent(n);
  std::size_t chars = n - 1;
  for (std::size_t k = 0; k < n; ++k) chars += tokens[top + k].chars;
  return ratio_or_nan(static_cast<double>(chars * ngrams.counts(n)[top]),
                      static_cast<double>(document.num_chars()));
}

// find_all_duplicate: walk the n-grams; one already seen adds the length of its
// concatenated tokens and jumps n tokens ahead (so overlaps count once), otherwise it is
// remembered. Only n-grams that occur twice can ever be "seen", so the walk remembers
// just those.
double duplicate_ngram_fraction(AnalyzedDocument& document, std::size_t n) {
  const auto tokens = document.words(WordSplit::kUnicode);
  if (tokens.size() < n) return ratio_or_nan(0, static_cast<double>(document.num_chars()));
  NgramIndex& ngrams = document.ngrams(WordSplit::kUnicode);
  const auto counts = ngrams.counts(n);
  std::size_t candidates = 0;
  for (uint32_t count : counts) candidates += count >= 2 ? 1 : 0;
  FlatHashCounter& seen = ngrams.scratch_counter();
  seen.clear(candidates);
  std::size_t repeated = 0;
  std::size_t i = 0;
  while (i < counts.size()) {
    if (counts[i] >= 2) {
      const uint64_t key = ngrams.hash(i, n);
      if (seen.count(key) > 0) {
        for (std::size_t k = 0; k < n; ++k) repeated += tokens[i + k].chars;
        i += n;
        continue;
      }
      seen.add(key);
    }
    ++i;
  }
  return ratio_or_nan(static_cast<double>(repeated), static_cast<double>(document.num_chars()));
}

FilterRegistration fraction_rule(const char* name, const char* summary, const char* param,
                                 double fallback, Statistic statistic) {
  FilterRegistration registration{name, summary, {{param, fallback, "largest fraction kept"}}, {}};
  registration.factory = [filter_name = std::string(name), key = std::string(param),
                          statistic](StageParams& p) {
    return make_filter(filter_name, statistic, Threshold::at_most(p.require<double>(key)));
  };
  return registration;
}

}  // namespace

void register_gopher_repetition_filters(FilterRegistry& registry) {
  registry.add(
      fraction_rule("gopher_dup_para_frac",
                    "Gopher repetition (datatrove): share of duplicate paragraphs; keep <= max",
                    "dup_para_frac", 0.3, [](AnalyzedDocument& d) {
                      return duplicate_item_fraction(d, SegmentList::kParagraphBlocks);
                    }));
  registry.add(fraction_rule(
      "gopher_dup_para_char_frac",
      "Gopher repetition (datatrove): characters in duplicate paragraphs / len(text); keep <= max",
      "dup_para_char_frac", 0.2, [](AnalyzedDocument& d) {
        return duplicate_char_fraction(d, SegmentList::kParagraphBlocks);
      }));
  registry.add(fraction_rule("gopher_dup_line_frac",
                             "Gopher repetition (datatrove): share of duplicate lines; keep <= max",
                             "dup_line_frac", 0.3, [](AnalyzedDocument& d) {
                               return duplicate_item_fraction(d, SegmentList::kNewlineRunLines);
                             }));
  registry.add(fraction_rule(
      "gopher_dup_line_char_frac",
      "Gopher repetition (datatrove): characters in duplicate lines / len(text); keep <= max",
      "dup_line_char_frac", 0.2, [](AnalyzedDocument& d) {
        return duplicate_char_fraction(d, SegmentList::kNewlineRunLines);
      }));
  registry.add({"gopher_top_ngram",
                "Gopher repetition (datatrove): characters of the most frequent token n-gram "
                "times its count / len(text); keep <= max (drop reason gopher_top_<n>_gram)",
                {{"n", 2, "n-gram size"},
                 {"max_char_frac", nullptr,
                  "largest fraction kept (default: Gopher's 0.20/0.18/0.16 for n = 2/3/4)"}},
                [](StageParams& p) {
                  const std::size_t n = read_ngram_size(p);
                  const double limit = p.get<double>("max_char_frac", gopher_top_ngram_fraction(n));
                  return make_filter(
                      fmt::format("gopher_top_{}_gram", n),
                      [n](AnalyzedDocument& d) { return top_ngram_fraction(d, n); },
                      Threshold::at_most(limit));
                }});
  registry.add({"gopher_dup_ngram",
                "Gopher repetition (datatrove): characters in repeated token n-grams / "
                "len(text); keep <= max (drop reason gopher_duplicated_<n>_n_grams)",
                {{"n", 5, "n-gram size"},
                 {"max_char_frac", nullptr,
                  "largest fraction kept (default: Gopher's 0.15 ... 0.10 for n = 5 ... 10)"}},
                [](StageParams& p) {
                  const std::size_t n = read_ngram_size(p);
                  const double limit =
                      p.get<double>("max_char_frac", gopher_duplicate_ngram_fraction(n));
                  return make_filter(
                      fmt::format("gopher_duplicated_{}_n_grams", n),
                      [n](AnalyzedDocument& d) { return duplicate_ngram_fraction(d, n); },
                      Threshold::at_most(limit));
                }});
}

}  // namespace curate::text
