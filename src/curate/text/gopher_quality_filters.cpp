// datatrove's GopherQualityFilter (pipeline/filters/gopher_quality_filter.py), after
// Gopher (Rae et al. 2021, table A1), one filter per rule. datatrove tokenises with
// spaCy's English tokenizer; here tokens are UAX #29 word segments without whitespace
// (WordSplit::kUnicode), which also split punctuation from words. "Symbol" tokens are
// those made only of datatrove's PUNCTUATION_SET (utils/text.py). A ratio over zero
// tokens or lines raises ZeroDivisionError in datatrove; here it is NaN (dropped).

#include "curate/text/rule_sets.hpp"
#include "curate/text/unicode_text.hpp"
#include "curate/text/word_list.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace curate::text {
namespace {

class PunctuationSet {
 public:
  PunctuationSet() {
    // datatrove.utils.text.PUNCTUATION, then the control characters it appends.
    constexpr std::string_view kPunctuation =
        "!/"
        "\u2014\u201d:\uff05\uff11\u3008&(\u3001\u2501\\\u3010#%\u300c\u300d\uff0c\u3011\uff1b+^]~"
        "\u201c\u300a\u201e';\u2019{|\u2236\u00b4[=-`*\uff0e\uff08\u2013\uff1f\uff01\uff1a$\uff5e"
        "\u00ab\u3009,><\u300b)?\uff09\u3002\u2026@_.\"}\u25ba\u00bb";
    for (std::size_t pos = 0; pos < kPunctuation.size();) add(decode_utf8(kPunctuation, pos));
    for (char32_t c = 0; c < 9; ++c) add(c);
    for (char32_t c = 11; c < 32; ++c) add(c);
    for (char32_t c = 127; c < 160; ++c) add(c);
    std::sort(others_.begin(), others_.end());
  }

  bool contains(char32_t c) const {
    if (c < 128) return ascii_[c];
    return std::binary_search(others_.begin(), others_.end(), c);
  }

 private:
  void add(char32_t c) {
    if (c < 128) {
      ascii_[c] = true;
    } else {
      others_.push_back(c);
    }
  }
  std::array<bool, 128> ascii_{};
  std::vector<char32_t> others_;
};

// `any(ch not in PUNCTUATION_SET for ch in w)`.
bool is_non_symbol(std::string_view token) {
  static const PunctuationSet kSet;
  for (std::size_t pos = 0; pos < token.size();) {
    if (!kSet.contains(decode_utf8(token, pos))) return true;
  }
  return false;
}

struct NonSymbolStats {
  std::size_t words = 0;
  std::size_t chars = 0;
};

NonSymbolStats non_symbol_stats(AnalyzedDocument& document) {
  NonSymbolStats stats;
  for (const Segment& token : document.words(WordSplit::kUnicode)) {
    if (is_non_symbol(token.text)) {
      ++stats.words;
      stats.chars += token.chars;
    }
  }
  return stats;
}

double per_token(AnalyzedDocument& document, std::size_t count) {
  return ratio_or_nan(static_cast<double>(count),
                      static_cast<double>(document.words(WordSplit::kUnicode).size()));
}

template <typename Predicate>
double text_line_fraction(AnalyzedDocument& document, Predicate predicate) {
  const auto lines = document.segments(SegmentList::kTextLines);
  std::size_t matching = 0;
  for (const Segment& line : lines) matching += predicate(line.text) ? 1 : 0;
  return ratio_or_nan(static_cast<double>(matching), static_cast<double>(lines.size()));
}

bool starts_with_bullet(std::string_view line) {
  const std::string_view body = lstrip(line);
  return body.starts_with("\u2022") || body.starts_with("-");
}

bool ends_with_ellipsis(std::string_view line) {
  const std::string_view body = rstrip(line);
  return body.ends_with("...") || body.ends_with("\u2026");
}

StageParamInfo ratio_param(const char* name, double value, const char* help) {
  return {name, value, help};
}

}  // namespace

void register_gopher_quality_filters(FilterRegistry& registry) {
  registry.add(
      {"gopher_word_count",
       "Gopher quality (datatrove): tokens that are not only punctuation; keep in [min, max]",
       {{"min_doc_words", 50, "fewest words kept"}, {"max_doc_words", 100000, "most words kept"}},
       [](StageParams& p) {
         return make_filter(
             "gopher_word_count",
             [](AnalyzedDocument& d) { return static_cast<double>(non_symbol_stats(d).words); },
             read_range(p, "min_doc_words", "max_doc_words"));
       }});
  registry.add(
      {"gopher_mean_word_length",
       "Gopher quality (datatrove): mean length of non-punctuation tokens; keep in [min, max]",
       {{"min_avg_word_length", 3, "shortest mean kept"},
        {"max_avg_word_length", 10, "longest mean kept"}},
       [](StageParams& p) {
         return make_filter(
             "gopher_mean_word_length",
             [](AnalyzedDocument& d) {
               const NonSymbolStats stats = non_symbol_stats(d);
               return ratio_or_nan(static_cast<double>(stats.chars),
                                   static_cast<double>(stats.words));
             },
             read_range(p, "min_avg_word_length", "max_avg_word_length"));
       }});
  registry.add({"gopher_hash_to_word",
                "Gopher quality (datatrove): '#' characters per token; keep <= max",
                {ratio_param("max_symbol_word_ratio", 0.1, "largest ratio kept")},
                [](StageParams& p) {
                  return make_filter(
                      "gopher_hash_to_word",
                      [](AnalyzedDocument& d) { return per_token(d, d.char_counts().hashes); },
                      Threshold::at_most(p.require<double>("max_symbol_word_ratio")));
                }});
  registry.add({"gopher_ellipsis_to_word",
                "Gopher quality (datatrove): '...' and '\u2026' per token; keep <= max",
                {ratio_param("max_symbol_word_ratio", 0.1, "largest ratio kept")},
                [](StageParams& p) {
                  return make_filter(
                      "gopher_ellipsis_to_word",
                      [](AnalyzedDocument& d) {
                        const CharCounts& counts = d.char_counts();
                        return per_token(d, counts.dot_ellipses + counts.ellipsis_chars);
                      },
                      Threshold::at_most(p.require<double>("max_symbol_word_ratio")));
                }});
  registry.add(
      {"gopher_bullet_lines",
       "Gopher quality (datatrove): share of lines starting with '\u2022' or '-'; keep <= max",
       {ratio_param("max_bullet_lines_ratio", 0.9, "largest share kept")},
       [](StageParams& p) {
         return make_filter(
             "gopher_bullet_lines",
             [](AnalyzedDocument& d) { return text_line_fraction(d, starts_with_bullet); },
             Threshold::at_most(p.require<double>("max_bullet_lines_ratio")));
       }});
  registry.add(
      {"gopher_ellipsis_lines",
       "Gopher quality (datatrove): share of lines ending with '...' or '\u2026'; keep <= max",
       {ratio_param("max_ellipsis_lines_ratio", 0.3, "largest share kept")},
       [](StageParams& p) {
         return make_filter(
             "gopher_ellipsis_lines",
             [](AnalyzedDocument& d) { return text_line_fraction(d, ends_with_ellipsis); },
             Threshold::at_most(p.require<double>("max_ellipsis_lines_ratio")));
       }});
  registry.add({"gopher_alpha_words",
                "Gopher quality (datatrove): share of tokens with a letter; keep >= the ratio "
                "(datatrove calls it max_non_alpha_words_ratio)",
                {ratio_param("max_non_alpha_words_ratio", 0.8,
                             "smallest share of tokens with a letter kept")},
                [](StageParams& p) {
                  return make_filter(
                      "gopher_alpha_words",
                      [](AnalyzedDocument& d) {
                        return per_token(d, d.word_stats(WordSplit::kUnicode).letter_words);
                      },
                      Threshold::at_least(p.require<double>("max_non_alpha_words_ratio")));
                }});
  registry.add({"gopher_stop_words",
                "Gopher quality (datatrove): tokens that are stop words; keep >= min",
                {{"min_stop_words", 2, "fewest stop words kept"},
                 {"stop_words", default_stop_words(), "the stop words (case-sensitive)"}},
                [](StageParams& p) {
                  const auto minimum = p.require<int>("min_stop_words");
                  auto words = std::make_shared<const WordList>(
                      p.require<std::vector<std::string>>("stop_words"));
                  return make_filter(
                      "gopher_stop_words",
                      [words](AnalyzedDocument& d) {
                        std::size_t count = 0;
                        for (const Segment& token : d.words(WordSplit::kUnicode)) {
                          count += words->contains(token.text) ? 1 : 0;
                        }
                        return static_cast<double>(count);
                      },
                      Threshold::at_least(minimum));
                }});
}

}  // namespace curate::text
