// NeMo Curator's word-level English heuristics (nemo_curator/filters/heuristic_filter.py).
// Words come from `text.strip().split()` (get_word_splitter("en")), or from ICU's
// dictionary segmentation for the `lang` values NeMo hands to jieba or MeCab. Lengths
// are in code points. A ratio over zero words, a mean or a maximum of no words is an
// exception in NeMo Curator; here it is NaN, which drops the document.

#include "curate/text/rule_sets.hpp"
#include "curate/text/word_list.hpp"

#include <fmt/format.h>

#include <string.h>  // memmem (glibc)

#include <algorithm>

namespace curate::text {
namespace {

// SymbolsToWordsFilter: a word is a symbol when it is one of constants.ellipsis_marks
// (only those without spaces can equal a word) or when its runs of '#' (regex "#+")
// number more than half its length.
bool is_symbol_word(const Segment& word, bool text_has_hashes) {
  // The marks are 3 or 5 bytes long; most words are rejected by their length alone.
  const std::string_view text = word.text;
  if (text.size() == 3 && (text == "..." || text == "\u2026" || text == "-\u00bb")) return true;
  if (text.size() == 5 && (text == "[...]" || text == "(...)" || text == "[\u2026]")) return true;
  if (!text_has_hashes || text.find('#') == std::string_view::npos) return false;
  std::size_t runs = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '#' && (i == 0 || text[i - 1] != '#')) ++runs;
  }
  return 2 * runs > word.chars;
}

double symbol_word_ratio(AnalyzedDocument& document, WordSplit split) {
  const auto words = document.words(split);
  const bool hashes = document.char_counts().hashes > 0;
  std::size_t symbols = 0;
  for (const Segment& word : words) symbols += is_symbol_word(word, hashes) ? 1 : 0;
  return ratio_or_nan(static_cast<double>(symbols), static_cast<double>(words.size()));
}

// CommonEnglishWordsFilter: count of words in constants.common_english_words, stopping
// at the cutoff when stop_at_false is set (so the score saturates there, as in NeMo).
double common_word_count(AnalyzedDocument& document, std::size_t cutoff, bool stop_at_cutoff) {
  static const WordList kCommon(default_stop_words());
  std::size_t count = 0;
  for (const Segment& word : document.words(WordSplit::kWhitespace)) {
    if (kCommon.contains(word.text)) ++count;
    if (stop_at_cutoff && count >= cutoff) break;
  }
  return static_cast<double>(count);
}

// RepeatingTopNGramsFilter: the most frequent word n-gram, joined by single spaces, is
// removed from the text with str.replace; the score is the share of characters removed.
// Fewer than n words score 1.0 (the original's _max_ratio).
double top_ngram_ratio(AnalyzedDocument& document, std::size_t n, WordSplit split) {
  const auto words = document.words(split);
  if (words.size() < n) return 1.0;
  const std::size_t chars = document.num_chars();
  const std::size_t top = document.ngrams(split).most_frequent(n);
  std::string& joined = document.scratch();
  joined.clear();
  std::size_t joined_chars = n - 1;
  for (std::size_t k = 0; k < n; ++k) {
    if (k > 0) joined.push_back(' ');
    joined.append(words[top + k].text);
    joined_chars += words[top + k].chars;
  }
  // Non-overlapping occurrences, left to right, as str.replace removes them. glibc's
  // memmem skips ahead by the needle's shape, several times faster than find's memchr.
  const std::string_view text = document.text();
  std::size_t occurrences = 0;
  const char* cursor = text.data();
  const char* const end = text.data() + text.size();
  while (static_cast<std::size_t>(end - cursor) >= joined.size()) {
    const void* found =
        memmem(cursor, static_cast<std::size_t>(end - cursor), joined.data(), joined.size());
    if (found == nullptr) break;
    ++occurrences;
    cursor = static_cast<const char*>(found) + joined.size();
  }
  return chars > 0 ? static_cast<double>(occurrences * joined_chars) / static_cast<double>(chars)
                   : 1.0;
}

// RepeatingDuplicateNGramsFilter: characters of n-grams that repeat an earlier n-gram,
// each word counted once even where repeated n-grams overlap, plus the spaces between
// the counted words; over len(text). Fewer than n words score 1.0.
double duplicate_ngram_ratio(AnalyzedDocument& document, std::size_t n, WordSplit split) {
  const auto words = document.words(split);
  if (words.size() < n) return 1.0;
  const auto repeats = document.ngrams(split).repeats(n);
  std::size_t duplicated = 0;
  std::size_t overlapping = 0;
  for (std::size_t i = 0; i < repeats.size(); ++i) {
    if (repeats[i] != 0) {
      for (std::size_t k = overlapping; k < n; ++k) duplicated += words[i + k].chars;
      duplicated += std::min(n - overlapping, n - 1);
      overlapping = n;
    }
    overlapping = overlapping > 0 ? overlapping - 1 : 0;
  }
  const std::size_t chars = document.num_chars();
  return chars > 0 ? static_cast<double>(duplicated) / static_cast<double>(chars) : 1.0;
}

const StageParamInfo kLang{"lang", "en", "language: zh, ja, th, km, lo, my split words with ICU"};

}  // namespace

void register_nemo_word_filters(FilterRegistry& registry) {
  registry.add(
      {"word_count",
       "NeMo Curator WordCountFilter: number of words; keep in [min, max]",
       {{"min_words", 50, "fewest words kept"}, {"max_words", 100000, "most words kept"}, kLang},
       [](StageParams& p) {
         const WordSplit split = read_word_split(p);
         return make_filter(
             "word_count",
             [split](AnalyzedDocument& d) { return static_cast<double>(d.words(split).size()); },
             read_range(p, "min_words", "max_words"));
       }});
  registry.add({"symbol_to_word",
                "NeMo Curator SymbolsToWordsFilter: share of words that are '#' runs or "
                "ellipses; keep <= max",
                {{"max_symbol_to_word_ratio", 0.1, "largest share kept"}, kLang},
                [](StageParams& p) {
                  const WordSplit split = read_word_split(p);
                  return make_filter(
                      "symbol_to_word",
                      [split](AnalyzedDocument& d) { return symbol_word_ratio(d, split); },
                      Threshold::at_most(p.require<double>("max_symbol_to_word_ratio")));
                }});
  registry.add({"words_without_alphabets",
                "NeMo Curator WordsWithoutAlphabetsFilter: share of words with an alphabetic "
                "character; keep >= min",
                {{"min_words_with_alphabets", 0.8, "smallest share kept"}, kLang},
                [](StageParams& p) {
                  const WordSplit split = read_word_split(p);
                  return make_filter(
                      "words_without_alphabets",
                      [split](AnalyzedDocument& d) {
                        return ratio_or_nan(
                            static_cast<double>(d.word_stats(split).alphabetic_words),
                            static_cast<double>(d.words(split).size()));
                      },
                      Threshold::at_least(p.require<double>("min_words_with_alphabets")));
                }});
  registry.add(
      {"common_english_words",
       "NeMo Curator CommonEnglishWordsFilter: words among the, be, to, of, and, that, "
       "have, with; keep >= min",
       {{"min_num_common_words", 2, "fewest common words kept"},
        {"stop_at_false", true, "stop counting at the minimum"}},
       [](StageParams& p) {
         const auto cutoff =
             static_cast<std::size_t>(std::max(0, p.require<int>("min_num_common_words")));
         const bool stop = p.require<bool>("stop_at_false");
         return make_filter(
             "common_english_words",
             [cutoff, stop](AnalyzedDocument& d) { return common_word_count(d, cutoff, stop); },
             Threshold::at_least(static_cast<double>(cutoff)));
       }});
  registry.add({"mean_word_length",
                "NeMo Curator MeanWordLengthFilter: mean word length; keep in [min, max]",
                {{"min_mean_word_length", 3, "shortest mean kept"},
                 {"max_mean_word_length", 10, "longest mean kept"},
                 kLang},
                [](StageParams& p) {
                  const WordSplit split = read_word_split(p);
                  return make_filter(
                      "mean_word_length",
                      [split](AnalyzedDocument& d) {
                        return ratio_or_nan(static_cast<double>(d.word_stats(split).chars),
                                            static_cast<double>(d.words(split).size()));
                      },
                      read_range(p, "min_mean_word_length", "max_mean_word_length"));
                }});
  registry.add({"max_word_length",
                "NeMo Curator LongWordFilter: length of the longest word; keep <= max",
                {{"max_word_length", 1000, "longest word kept"}, kLang},
                [](StageParams& p) {
                  const WordSplit split = read_word_split(p);
                  return make_filter(
                      "max_word_length",
                      [split](AnalyzedDocument& d) {
                        if (d.words(split).empty()) return ratio_or_nan(0, 0);
                        return static_cast<double>(d.word_stats(split).max_chars);
                      },
                      Threshold::at_most(p.require<double>("max_word_length")));
                }});
  registry.add({"repeating_top_ngrams",
                "NeMo Curator RepeatingTopNGramsFilter: share of characters in occurrences of "
                "the most frequent word n-gram; keep <= max (drop reason repeating_top_<n>grams)",
                {{"n", 2, "n-gram size"},
                 {"max_repeating_ngram_ratio", nullptr,
                  "largest share kept (default: Gopher's 0.20/0.18/0.16 for n = 2/3/4)"},
                 kLang},
                [](StageParams& p) {
                  const std::size_t n = read_ngram_size(p);
                  const WordSplit split = read_word_split(p);
                  return make_filter(
                      fmt::format("repeating_top_{}grams", n),
                      [n, split](AnalyzedDocument& d) { return top_ngram_ratio(d, n, split); },
                      Threshold::at_most(p.get<double>("max_repeating_ngram_ratio",
                                                       gopher_top_ngram_fraction(n))));
                }});
  registry.add(
      {"repeating_duplicate_ngrams",
       "NeMo Curator RepeatingDuplicateNGramsFilter: share of characters in repeated "
       "word n-grams; keep <= max (drop reason repeating_dup_<n>gram)",
       {{"n", 2, "n-gram size"},
        {"max_repeating_duplicate_ngram_ratio", nullptr,
         "largest share kept (default: NeMo Curator's 0.2 for n < 5, Gopher's 0.15 ... "
         "0.10 for n = 5 ... 10)"},
        kLang},
       [](StageParams& p) {
         const std::size_t n = read_ngram_size(p);
         const WordSplit split = read_word_split(p);
         return make_filter(
             fmt::format("repeating_dup_{}gram", n),
             [n, split](AnalyzedDocument& d) { return duplicate_ngram_ratio(d, n, split); },
             Threshold::at_most(p.get<double>("max_repeating_duplicate_ngram_ratio",
                                              n < 5 ? 0.2 : gopher_duplicate_ngram_fraction(n))));
       }});
}

}  // namespace curate::text
