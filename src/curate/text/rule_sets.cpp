#include "curate/text/rule_sets.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace curate::text {

WordSplit read_word_split(StageParams& params) {
  const auto lang = params.require<std::string>("lang");
  // NeMo Curator's get_word_splitter: jieba for zh, MeCab for ja, str.split otherwise.
  // ICU's dictionary segmentation plays their part here, and covers Thai, Khmer, Lao
  // and Burmese too.
  for (const char* unspaced : {"zh", "ja", "th", "km", "lo", "my"}) {
    if (lang == unspaced) return WordSplit::kUnicode;
  }
  return WordSplit::kWhitespace;
}

std::size_t read_ngram_size(StageParams& params) {
  const auto n = params.require<int>("n");
  if (n < 1 || static_cast<std::size_t>(n) > kMaxNgram) {
    throw std::invalid_argument(
        fmt::format("stage '{}': n must be in [1, {}], got {}", params.stage_name(), kMaxNgram, n));
  }
  return static_cast<std::size_t>(n);
}

double gopher_top_ngram_fraction(std::size_t n) { return n <= 2 ? 0.20 : n == 3 ? 0.18 : 0.16; }

double gopher_duplicate_ngram_fraction(std::size_t n) {
  if (n <= 5) return 0.15;
  if (n >= 10) return 0.10;
  return 0.15 - 0.01 * static_cast<double>(n - 5);
}

Threshold read_range(StageParams& params, const std::string& min_key, const std::string& max_key) {
  const auto low = params.require<double>(min_key);
  const auto high = params.require<double>(max_key);
  if (low > high) {
    throw std::invalid_argument(fmt::format("stage '{}': {} ({}) is greater than {} ({})",
                                            params.stage_name(), min_key, low, max_key, high));
  }
  return Threshold::between(low, high);
}

}  // namespace curate::text
