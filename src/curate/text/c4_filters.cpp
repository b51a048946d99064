// datatrove's C4QualityFilter and C4BadWordsFilter (pipeline/filters/c4_filters.py),
// after C4 (Raffel et al. 2020) and tfds' c4_utils. The line rules rewrite the text
// (`c4_lines`); the document rules drop (`c4_lorem_ipsum`, `c4_curly_bracket`,
// `c4_min_sentences`, `c4_bad_words`). Run after c4_lines, the document rules see only
// the kept lines, as in datatrove, where they are checked inside the line loop.

#include "curate/text/keyword_set.hpp"
#include "curate/text/rule_sets.hpp"
#include "curate/text/unicode_text.hpp"

#include <unicode/uchar.h>

#include <fmt/format.h>

#include <array>
#include <fstream>

namespace curate::text {
namespace {

struct LineRules {
  bool remove_citations = true;
  bool filter_no_terminal_punct = true;
  int min_words_per_line = 3;
  int max_word_length = 1000;
  bool filter_javascript = true;
  bool filter_policy = true;
};

const KeywordSet& lorem_ipsum() {
  static const KeywordSet keywords({"lorem ipsum"});
  return keywords;
}

const KeywordSet& javascript() {
  static const KeywordSet keywords({"javascript"});
  return keywords;
}

const KeywordSet& c4_policy() {
  // datatrove's POLICY_SUBSTRINGS.
  static const KeywordSet keywords({"terms of use", "privacy policy", "cookie policy",
                                    "uses cookies", "use of cookies", "use cookies"});
  return keywords;
}

// CITATION_REGEX = \[\d*]|\[edit]|\[citation needed], every match removed.
void remove_citations(std::string_view line, std::string& out) {
  if (line.find('[') == std::string_view::npos) {
    out.assign(line);
    return;
  }
  out.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == '[') {
      std::size_t j = i + 1;
      while (j < line.size()) {
        std::size_t next = j;
        if (!is_decimal_digit(decode_utf8(line, next))) break;
        j = next;
      }
      std::size_t end = 0;
      if (j < line.size() && line[j] == ']') {
        end = j + 1;
      } else if (line.compare(i + 1, 5, "edit]") == 0) {
        end = i + 6;
      } else if (line.compare(i + 1, 16, "citation needed]") == 0) {
        end = i + 17;
      }
      if (end > 0) {
        i = end;
        continue;
      }
    }
    out.push_back(line[i++]);
  }
}

bool is_ascii_space(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte >= 0x09 && byte <= 0x0D) || (byte >= 0x1C && byte <= 0x20);
}

bool ends_with_end_punctuation(std::string_view line) {
  if (line.empty() || line.ends_with("...")) return false;
  const char last = line.back();
  return last == '.' || last == '?' || last == '!' || last == '"' || last == '\'';
}

// The line rules of C4QualityFilter, in datatrove's order. A line that reaches the
// "lorem ipsum" or "{" check is kept even if a later line rule (javascript, policy)
// would remove it, so that the document rules after this filter see what datatrove saw.
class C4LinesFilter final : public DocumentFilter {
 public:
  explicit C4LinesFilter(LineRules rules) : DocumentFilter("c4_lines"), rules_(rules) {}

  double score(AnalyzedDocument& document) const override {
    std::string ignored;
    return rewrite(document, ignored);
  }
  bool keep(double) const override { return true; }
  bool rewrites_text() const override { return true; }

  double rewrite(AnalyzedDocument& document, std::string& out) const override {
    out.clear();
    std::string& cleaned = document.scratch();
    std::size_t removed = 0;
    for (const Segment& line : document.segments(SegmentList::kTextLines)) {
      if (!keep_line(document, strip(line.text), cleaned)) {
        ++removed;
        continue;
      }
      if (!out.empty()) out.push_back('\n');
      out.append(cleaned);
    }
    const std::string_view stripped = strip(out);
    if (stripped.size() != out.size()) out = std::string(stripped);
    return static_cast<double>(removed);
  }

 private:
  // Decide on one stripped line; on keep, `cleaned` holds the line without citations.
  bool keep_line(AnalyzedDocument& document, std::string_view line, std::string& cleaned) const {
    std::size_t words = 0;
    bool too_long = false;
    const bool ascii = document.is_ascii();
    for (std::size_t i = 0; i < line.size();) {
      const std::size_t space =
          ascii ? (is_ascii_space(line[i]) ? 1 : 0) : whitespace_length_at(line, i);
      if (space > 0) {
        i += space;
        continue;
      }
      const std::size_t start = i;
      while (i < line.size() &&
             (ascii ? !is_ascii_space(line[i]) : whitespace_length_at(line, i) == 0)) {
        ++i;
      }
      ++words;
      const std::size_t length = document.chars_of(line.substr(start, i - start));
      too_long |=
          rules_.max_word_length >= 0 && length > static_cast<std::size_t>(rules_.max_word_length);
    }
    if (too_long) return false;
    if (rules_.remove_citations) {
      remove_citations(line, cleaned);
    } else {
      cleaned.assign(line);
    }
    if (rules_.filter_no_terminal_punct && !ends_with_end_punctuation(cleaned)) return false;
    if (static_cast<long>(words) < rules_.min_words_per_line) return false;
    if (lorem_ipsum().contains_any(cleaned)) return true;
    if (rules_.filter_javascript && javascript().contains_any(cleaned)) return false;
    if (cleaned.find('{') != std::string::npos) return true;
    return !(rules_.filter_policy && c4_policy().contains_any(cleaned));
  }

  LineRules rules_;
};

double count_sentences(AnalyzedDocument& document) {
  std::size_t sentences = 0;
  std::vector<std::string_view>& pieces = document.scratch_views();
  for (const Segment& line : document.segments(SegmentList::kTextLines)) {
    pieces.clear();
    document.segmenter().split_sentences(line.text, document.is_ascii() || is_ascii(line.text),
                                         pieces);
    sentences += pieces.size();
  }
  pieces.clear();
  return static_cast<double>(sentences);
}

// Python's \w: letters, numbers and '_'.
bool is_word_character(char32_t c) {
  if (c < 128) return c == '_' || is_letter(c) || (c >= '0' && c <= '9');
  if (is_letter(c)) return true;
  const auto type = u_charType(static_cast<UChar32>(c));
  return type == U_DECIMAL_DIGIT_NUMBER || type == U_LETTER_NUMBER || type == U_OTHER_NUMBER;
}

// C4BadWordsFilter: matches of any listed word in the lower-cased text, flanked by
// non-word characters (or anywhere, for languages written without spaces).
class BadWords {
 public:
  BadWords(std::vector<std::string> words, bool boundaries) : boundaries_(boundaries) {
    for (std::string& word : words) {
      std::string lowered;
      lower_into(word, lowered);
      if (!lowered.empty()) by_first_[static_cast<unsigned char>(lowered[0])].push_back(lowered);
    }
  }

  double count(AnalyzedDocument& document) const {
    std::string& lowered = document.scratch();
    lower_into(document.text(), lowered);
    const std::string_view text = lowered;
    std::size_t matches = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto& candidates = by_first_[static_cast<unsigned char>(text[i])];
      if (candidates.empty() || (boundaries_ && i > 0 && is_word_character(previous(text, i))))
        continue;
      for (const std::string& word : candidates) {
        if (text.compare(i, word.size(), word) != 0) continue;
        std::size_t after = i + word.size();
        if (boundaries_ && after < text.size() && is_word_character(decode_utf8(text, after)))
          continue;
        ++matches;
        break;
      }
    }
    return static_cast<double>(matches);
  }

 private:
  static char32_t previous(std::string_view text, std::size_t i) {
    std::size_t start = i - 1;
    while (start > 0 && i - start < 4 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80)
      --start;
    return decode_utf8(text, start);
  }

  std::array<std::vector<std::string>, 256> by_first_;
  bool boundaries_;
};

std::vector<std::string> read_word_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument(fmt::format("cannot read bad-words file '{}'", path));
  std::vector<std::string> words;
  for (std::string line; std::getline(in, line);) {
    const std::string_view word = strip(line);
    if (!word.empty()) words.emplace_back(word);
  }
  return words;
}

}  // namespace

void register_c4_filters(FilterRegistry& registry) {
  registry.add({"c4_lines",
                "C4 quality (datatrove), line rules: rewrite the text keeping lines that end in "
                "terminal punctuation, have enough words, no over-long word, no 'javascript' "
                "and no policy phrase; citations removed. Never drops; score = lines removed",
                {{"remove_citations", true, "remove [1], [edit], [citation needed]"},
                 {"filter_no_terminal_punct", true, "drop lines not ending in . ? ! \" '"},
                 {"min_words_per_line", 3, "drop lines with fewer words (-1: off)"},
                 {"max_word_length", 1000, "drop lines with a longer word (-1: off)"},
                 {"filter_javascript", true, "drop lines mentioning javascript"},
                 {"filter_policy", true, "drop lines with terms-of-use or cookie phrases"}},
                [](StageParams& p) {
                  LineRules rules;
                  rules.remove_citations = p.require<bool>("remove_citations");
                  rules.filter_no_terminal_punct = p.require<bool>("filter_no_terminal_punct");
                  rules.min_words_per_line = p.require<int>("min_words_per_line");
                  rules.max_word_length = p.require<int>("max_word_length");
                  rules.filter_javascript = p.require<bool>("filter_javascript");
                  rules.filter_policy = p.require<bool>("filter_policy");
                  return std::make_shared<C4LinesFilter>(rules);
                }});
  registry.add(
      {"c4_lorem_ipsum",
       "C4 quality (datatrove): drop documents containing 'lorem ipsum'",
       {},
       [](StageParams&) {
         return make_filter(
             "c4_lorem_ipsum",
             [](AnalyzedDocument& d) { return lorem_ipsum().contains_any(d.text()) ? 1.0 : 0.0; },
             Threshold::at_most(0));
       }});
  registry.add(
      {"c4_curly_bracket",
       "C4 quality (datatrove): drop documents containing '{'",
       {},
       [](StageParams&) {
         return make_filter(
             "c4_curly_bracket",
             [](AnalyzedDocument& d) { return static_cast<double>(d.char_counts().open_braces); },
             Threshold::at_most(0));
       }});
  registry.add({"c4_min_sentences",
                "C4 quality (datatrove): sentences (UAX #29, per line); keep >= min_num_sentences",
                {{"min_num_sentences", 5, "fewest sentences kept (-1: off)"}},
                [](StageParams& p) {
                  return make_filter("c4_min_sentences", count_sentences,
                                     Threshold::at_least(p.require<int>("min_num_sentences")));
                }});
  registry.add(
      {"c4_bad_words",
       "C4 bad words (datatrove C4BadWordsFilter): drop documents containing a listed "
       "word (e.g. the LDNOOBW list); score = matches",
       {{"words", std::vector<std::string>{}, "the words (any case)"},
        {"words_file", nullptr, "a file with one word per line, added to 'words'"},
        {"require_word_boundaries", true, "match whole words only (false for ja, th, zh)"}},
       [](StageParams& p) {
         auto words = p.require<std::vector<std::string>>("words");
         if (auto file = p.get<std::string>("words_file", ""); !file.empty()) {
           for (std::string& word : read_word_file(file)) words.push_back(std::move(word));
         }
         if (words.empty()) {
           throw std::invalid_argument(fmt::format(
               "stage '{}': c4_bad_words needs 'words' or 'words_file'", p.stage_name()));
         }
         auto list = std::make_shared<const BadWords>(std::move(words),
                                                      p.require<bool>("require_word_boundaries"));
         return make_filter(
             "c4_bad_words", [list](AnalyzedDocument& d) { return list->count(d); },
             Threshold::at_most(0));
       }});
}

}  // namespace curate::text
