#pragma once

#include "curate/text/filter_registry.hpp"

#include <memory>
#include <string>

namespace curate::text {

/// Register NeMo Curator's character-level English rules (alpha_numeric, numbers_ratio,
/// urls_ratio, white_space, parentheses_ratio). Called once by `builtin_filters`.
void register_nemo_char_filters(FilterRegistry& registry);
/// Register NeMo Curator's line- and paragraph-level rules (boilerplate_string_ratio,
/// repeated_lines, repeated_paragraphs, repeated_lines_char, repeated_paragraphs_char,
/// punctuation, ellipsis, bullet_ratio).
void register_nemo_line_filters(FilterRegistry& registry);
/// Register NeMo Curator's word-level rules (word_count, symbol_to_word,
/// words_without_alphabets, common_english_words, mean_word_length, max_word_length,
/// repeating_top_ngrams, repeating_duplicate_ngrams).
void register_nemo_word_filters(FilterRegistry& registry);
/// Register datatrove's GopherQualityFilter rules, one filter each (gopher_*).
void register_gopher_quality_filters(FilterRegistry& registry);
/// Register datatrove's GopherRepetitionFilter rules, one filter each (gopher_dup_*,
/// gopher_top_ngram, gopher_dup_ngram).
void register_gopher_repetition_filters(FilterRegistry& registry);
/// Register datatrove's C4QualityFilter (c4_lines rewrites; c4_lorem_ipsum,
/// c4_curly_bracket, c4_min_sentences drop) and C4BadWordsFilter (c4_bad_words).
void register_c4_filters(FilterRegistry& registry);
/// Register datatrove's FineWebQualityFilter rules (fineweb_*).
void register_fineweb_filters(FilterRegistry& registry);

/// Make a shared StatisticFilter; a shorthand for the registration files.
inline FilterPtr make_filter(std::string name, Statistic statistic, Threshold threshold) {
  return std::make_shared<StatisticFilter>(std::move(name), std::move(statistic), threshold);
}
inline FilterPtr make_filter(std::string name, Statistic statistic, KeepPredicate keep) {
  return std::make_shared<StatisticFilter>(std::move(name), std::move(statistic), std::move(keep));
}

/// Read NeMo Curator's `lang` parameter: "zh", "ja", "th", "km", "lo" and "my" (scripts
/// written without spaces, where NeMo Curator calls jieba or MeCab) split words by ICU's
/// dictionary segmentation; every other language splits on whitespace.
WordSplit read_word_split(StageParams& params);

/// Read the n-gram size parameter `n` and check that it is in [1, kMaxNgram].
std::size_t read_ngram_size(StageParams& params);

/// Return Gopher's (table A1) largest top n-gram character fraction for n: 0.20, 0.18,
/// 0.16 for n = 2, 3, 4 (0.20 below, 0.16 above). The default of both n-gram rule sets.
double gopher_top_ngram_fraction(std::size_t n);
/// Return Gopher's largest duplicated n-gram character fraction for n: 0.15 for n = 5
/// down to 0.10 for n = 10 (0.15 below, 0.10 above).
double gopher_duplicate_ngram_fraction(std::size_t n);

/// Read a `[min, max]` pair of parameters and check that min <= max.
Threshold read_range(StageParams& params, const std::string& min_key, const std::string& max_key);

}  // namespace curate::text
