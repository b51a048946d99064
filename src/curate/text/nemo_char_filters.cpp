// NeMo Curator's character-level English heuristics
// (nemo_curator/filters/heuristic_filter.py; constants from nemo_curator/utils/constants.py).
// Every ratio is over `len(text)` in code points; an empty text scores 1.0 (dropped),
// as in the originals.

#include "curate/text/rule_sets.hpp"

#include <cstring>

namespace curate::text {
namespace {

double ratio_or_one(std::size_t count, std::size_t chars) {
  return chars > 0 ? static_cast<double>(count) / static_cast<double>(chars) : 1.0;
}

// NonAlphaNumericFilter: characters outside regex_alphanum = [a-zA-Z0-9\n?!,.].
double non_alphanumeric_ratio(AnalyzedDocument& document) {
  const CharCounts& counts = document.char_counts();
  return ratio_or_one(counts.chars - counts.nemo_alphanumeric, counts.chars);
}

// NumbersFilter: regex_digit = [[:digit:]] of the `regex` module, which is [0-9].
double digit_ratio(AnalyzedDocument& document) {
  const CharCounts& counts = document.char_counts();
  return ratio_or_one(counts.ascii_digits, counts.chars);
}

// WhiteSpaceFilter: characters in white_space_list = ["\t", "\n", "\r", "\b", " "].
double whitespace_ratio(AnalyzedDocument& document) {
  const CharCounts& counts = document.char_counts();
  return ratio_or_one(counts.nemo_whitespace, counts.chars);
}

// ParenthesesFilter: regex_paren = {|}|⟨|⟩|\[|\]|\(|\).
double bracket_ratio(AnalyzedDocument& document) {
  const CharCounts& counts = document.char_counts();
  return ratio_or_one(counts.brackets, counts.chars);
}

// A character of regex_url's repeated group: [a-zA-Z] | [0-9] | [$-_@.&+] | [!*\(\),]
// | %XX. The range $-_ (0x24-0x5F) already holds digits, upper case, '%' and most
// punctuation, so the set is '!', 0x24-0x5F and a-z.
bool is_url_char(char c) { return c == '!' || (c >= 0x24 && c <= 0x5F) || (c >= 'a' && c <= 'z'); }

// UrlsFilter: total length of regex_url matches (http[s]?://<url chars>+), found left to
// right without overlap as re.findall does.
std::size_t url_chars(std::string_view text) {
  std::size_t total = 0;
  std::size_t pos = 0;
  while ((pos = text.find("http", pos)) != std::string_view::npos) {
    std::size_t cursor = pos + 4;
    if (cursor < text.size() && text[cursor] == 's') ++cursor;
    // "https" followed by "://" fails the optional 's' only if what follows the 's' is
    // not "://"; then "http" + "s://" cannot match either, so no backtracking is needed.
    if (text.compare(cursor, 3, "://") != 0) {
      ++pos;
      continue;
    }
    std::size_t end = cursor + 3;
    while (end < text.size() && is_url_char(text[end])) ++end;
    if (end == cursor + 3) {
      ++pos;
      continue;
    }
    total += end - pos;  // URL characters are ASCII: bytes are code points
    pos = end;
  }
  return total;
}

}  // namespace

void register_nemo_char_filters(FilterRegistry& registry) {
  registry.add({"alpha_numeric",
                "NeMo Curator NonAlphaNumericFilter: share of characters outside "
                "[a-zA-Z0-9\\n?!,.]; keep <= max",
                {{"max_non_alpha_numeric_to_text_ratio", 0.25, "largest share kept"}},
                [](StageParams& p) {
                  return make_filter(
                      "alpha_numeric", non_alphanumeric_ratio,
                      Threshold::at_most(p.require<double>("max_non_alpha_numeric_to_text_ratio")));
                }});
  registry.add({"numbers_ratio",
                "NeMo Curator NumbersFilter: share of characters that are digits 0-9; keep <= max",
                {{"max_number_to_text_ratio", 0.15, "largest share kept"}},
                [](StageParams& p) {
                  return make_filter(
                      "numbers_ratio", digit_ratio,
                      Threshold::at_most(p.require<double>("max_number_to_text_ratio")));
                }});
  registry.add(
      {"urls_ratio",
       "NeMo Curator UrlsFilter: share of characters inside http(s):// URLs; keep <= max",
       {{"max_url_to_text_ratio", 0.2, "largest share kept"}},
       [](StageParams& p) {
         return make_filter(
             "urls_ratio",
             [](AnalyzedDocument& d) { return ratio_or_one(url_chars(d.text()), d.num_chars()); },
             Threshold::at_most(p.require<double>("max_url_to_text_ratio")));
       }});
  registry.add({"white_space",
                "NeMo Curator WhiteSpaceFilter: share of \\t \\n \\r \\b and space; keep <= max",
                {{"max_white_space_ratio", 0.25, "largest share kept"}},
                [](StageParams& p) {
                  return make_filter(
                      "white_space", whitespace_ratio,
                      Threshold::at_most(p.require<double>("max_white_space_ratio")));
                }});
  registry.add({"parentheses_ratio",
                "NeMo Curator ParenthesesFilter: share of ( ) [ ] { } ⟨ ⟩; keep <= max",
                {{"max_parentheses_ratio", 0.1, "largest share kept"}},
                [](StageParams& p) {
                  return make_filter(
                      "parentheses_ratio", bracket_ratio,
                      Threshold::at_most(p.require<double>("max_parentheses_ratio")));
                }});
}

}  // namespace curate::text
