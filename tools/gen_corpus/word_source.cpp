#include "word_source.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <stdexcept>
#include <unordered_set>

#include <fmt/format.h>

namespace curate::tools {
namespace {

// The most frequent English function words, most frequent first (after the usual
// corpus counts); their order sets their rank and so their rate.
// clang-format off
constexpr std::array<std::string_view, 100> kStopWords = {
    "the",   "of",    "and",   "to",    "a",     "in",    "is",    "that",  "for",   "it",
    "was",   "on",    "with",  "as",    "be",    "by",    "at",    "this",  "are",   "from",
    "have",  "or",    "not",   "but",   "an",    "they",  "which", "you",   "he",    "his",
    "had",   "were",  "we",    "their", "has",   "been",  "there", "one",   "all",   "can",
    "would", "more",  "will",  "her",   "she",   "if",    "its",   "also",  "so",    "no",
    "what",  "about", "when",  "them",  "who",   "other", "than",  "some",  "into",  "only",
    "could", "our",   "any",   "these", "may",   "then",  "do",    "my",    "out",   "up",
    "him",   "over",  "after", "such",  "like",  "those", "did",   "most",  "many",  "two",
    "first", "new",   "time",  "should", "each", "how",   "where", "very",  "just",  "because",
    "through", "while", "both", "between", "under", "before", "being", "same", "well", "here",
};
// clang-format on

// Fixed, so the vocabulary order is the same for every --seed.
constexpr std::uint64_t kVocabularySeed = 0x6765'6e5f'636f'7270ULL;

bool is_plain_word(std::string_view line) {
  return !line.empty() && line.size() <= 40 &&
         std::all_of(line.begin(), line.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

}  // namespace

WordSource WordSource::load(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error(
        fmt::format("cannot read the word list {}: install Debian's wamerican or pass --words FILE",
                    path.string()));
  }
  std::vector<std::string> words;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (is_plain_word(line)) words.push_back(line);
  }
  if (words.size() < 100) {
    throw std::runtime_error(fmt::format(
        "the word list {} has {} plain lowercase words (a-z only); it needs at least 100",
        path.string(), words.size()));
  }
  return WordSource(std::move(words));
}

WordSource::WordSource(std::vector<std::string> words) {
  // Sort first so the result depends on the set of words, not the file's order or
  // the locale it was sorted in.
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  const std::unordered_set<std::string_view> stop(kStopWords.begin(), kStopWords.end());
  std::erase_if(words, [&](const std::string& w) { return stop.contains(w); });
  Random random(kVocabularySeed);
  for (std::size_t i = words.size(); i > 1; --i) {  // Fisher-Yates
    std::swap(words[i - 1], words[random.below(i)]);
  }

  offsets_.push_back(0);
  auto append = [&](std::string_view w) {
    chars_.append(w);
    offsets_.push_back(static_cast<std::uint32_t>(chars_.size()));
  };
  for (std::string_view w : kStopWords) append(w);
  for (const std::string& w : words) append(w);

  // Integer weights floor(2C / (2r + 3)) = C / (r + 1.5): exact on every machine,
  // unlike pow() or a floating-point alias table. C = n + 2 gives the rarest word
  // about one slot (at least one is kept), so the whole list is drawn now and then.
  const std::uint64_t n = size();
  if (chars_.size() >= (std::uint64_t{1} << (32 - kLengthBits))) {
    throw std::runtime_error(
        fmt::format("the word list has {} bytes of plain words; gen_corpus takes at most {}",
                    chars_.size(), std::uint64_t{1} << (32 - kLengthBits)));
  }
  const std::uint64_t scale = n + 2;
  for (std::uint32_t r = 0; r < n; ++r) {
    const std::uint64_t weight = std::max<std::uint64_t>(1, 2 * scale / (2 * r + 3));
    const std::uint32_t entry = offsets_[r] << kLengthBits | (offsets_[r + 1] - offsets_[r]);
    table_.insert(table_.end(), weight, entry);
  }
}

}  // namespace curate::tools
