#include "curate/text/analyzed_document.hpp"

#include "curate/text/unicode_text.hpp"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <bit>
#include <cstring>

namespace curate::text {
namespace {

uint64_t hash_bytes(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

uint64_t load64(const char* p) {
  uint64_t value;
  std::memcpy(&value, p, 8);
  return value;
}

// Hash one word of `text`. Words of up to 16 bytes (nearly all) are read as one or two
// 64-bit loads and mixed (a bijection for up to 8 bytes, so short words never collide);
// longer words use XXH3. The value depends on the word's bytes only: a word near the
// end of the text, where 16 bytes cannot be loaded, is copied out first.
uint64_t hash_word(std::string_view word, const char* text_end) {
  const std::size_t length = word.size();
  if (length > 16) return hash_bytes(word);
  const uint64_t seed = length * 0x9E3779B97F4A7C15ULL;
  uint64_t low, high;
  if (std::endian::native == std::endian::little &&
      static_cast<std::size_t>(text_end - word.data()) >= 16) {
    // Little-endian: the word's bytes are the low bytes of each load; mask the rest.
    const std::size_t rest = length > 8 ? length - 8 : 0;
    low = load64(word.data()) & (length >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * length)) - 1);
    high = rest == 0 ? 0
                     : load64(word.data() + 8) &
                           (rest == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * rest)) - 1);
  } else {
    char padded[16] = {};
    std::memcpy(padded, word.data(), length);
    low = load64(padded);
    high = load64(padded + 8);
  }
  return length <= 8 ? mix64(low ^ seed) : mix64(low ^ mix64(high ^ seed));
}

}  // namespace

AnalyzedDocument::AnalyzedDocument() = default;
AnalyzedDocument::~AnalyzedDocument() = default;

void AnalyzedDocument::reset(std::string_view text) {
  text_ = text;
  ascii_ = -1;
  classes_ready_ = false;
  counts_ready_ = false;
  for (WordCache& cache : word_caches_) {
    cache.words_ready = cache.hashes_ready = cache.stats_ready = cache.ngrams_ready = false;
  }
  for (SegmentCache& cache : segment_caches_) cache.ready = cache.duplicates_ready = false;
}

bool AnalyzedDocument::is_ascii() {
  if (ascii_ < 0) ascii_ = text::is_ascii(text_) ? 1 : 0;
  return ascii_ == 1;
}

std::size_t AnalyzedDocument::chars_of(std::string_view piece) {
  if (is_ascii()) return piece.size();
  if (classes_ready_ && piece.data() >= text_.data() &&
      piece.data() + piece.size() <= text_.data() + text_.size()) {
    const auto begin = static_cast<std::size_t>(piece.data() - text_.data());
    return piece.size() - classes_.continuation_bytes(begin, begin + piece.size());
  }
  return count_code_points(piece);
}

const ByteClassIndex& AnalyzedDocument::byte_classes() {
  if (!classes_ready_) {
    classes_.build(text_);
    classes_ready_ = true;
    if (ascii_ < 0) ascii_ = classes_.has_non_ascii() ? 0 : 1;
  }
  return classes_;
}

const CharCounts& AnalyzedDocument::char_counts() {
  if (!counts_ready_) count_chars();
  return counts_;
}

void AnalyzedDocument::count_chars() {
  // Four histograms so that runs of one byte value do not serialise on one counter.
  uint32_t partial[4][256];
  std::memset(partial, 0, sizeof(partial));
  const auto* bytes = reinterpret_cast<const unsigned char*>(text_.data());
  const std::size_t n = text_.size();
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    ++partial[0][bytes[i]];
    ++partial[1][bytes[i + 1]];
    ++partial[2][bytes[i + 2]];
    ++partial[3][bytes[i + 3]];
  }
  for (; i < n; ++i) ++partial[0][bytes[i]];
  std::array<std::size_t, 256> hist{};
  for (int b = 0; b < 256; ++b)
    hist[b] = partial[0][b] + partial[1][b] + partial[2][b] + partial[3][b];

  CharCounts counts;
  std::size_t continuation = 0;
  std::size_t non_ascii = 0;
  for (int b = 0x80; b < 0x100; ++b) non_ascii += hist[b];
  for (int b = 0x80; b < 0xC0; ++b) continuation += hist[b];
  counts.chars = n - continuation;
  for (int b = '0'; b <= '9'; ++b) counts.ascii_digits += hist[b];
  std::size_t letters = 0;
  for (int b = 'a'; b <= 'z'; ++b) letters += hist[b] + hist[b - 'a' + 'A'];
  counts.nemo_alphanumeric =
      letters + counts.ascii_digits + hist['\n'] + hist['?'] + hist['!'] + hist[','] + hist['.'];
  counts.nemo_whitespace = hist['\t'] + hist['\n'] + hist['\r'] + hist['\b'] + hist[' '];
  counts.brackets = hist['('] + hist[')'] + hist['['] + hist[']'] + hist['{'] + hist['}'];
  counts.hashes = hist['#'];
  counts.newlines = hist['\n'];
  counts.open_braces = hist['{'];
  if (hist['.'] >= 3) {
    // str.count("...") is non-overlapping: a run of k dots holds k / 3 of them.
    const char* p = text_.data();
    const char* end = p + n;
    while ((p = static_cast<const char*>(std::memchr(p, '.', static_cast<std::size_t>(end - p))))) {
      const char* run = p;
      while (p < end && *p == '.') ++p;
      counts.dot_ellipses += static_cast<std::size_t>(p - run) / 3;
    }
  }
  if (hist[0xE2] > 0) {
    // U+2026 '…' is E2 80 A6; U+27E8/U+27E9 '⟨' '⟩' are E2 9F A8 / E2 9F A9.
    const char* p = text_.data();
    const char* end = p + n;
    while (p + 3 <= end && (p = static_cast<const char*>(
                                std::memchr(p, '\xE2', static_cast<std::size_t>(end - p - 2))))) {
      const auto b1 = static_cast<unsigned char>(p[1]);
      const auto b2 = static_cast<unsigned char>(p[2]);
      if (b1 == 0x80 && b2 == 0xA6) ++counts.ellipsis_chars;
      if (b1 == 0x9F && (b2 == 0xA8 || b2 == 0xA9)) ++counts.brackets;
      ++p;
    }
  }
  if (ascii_ < 0) ascii_ = non_ascii == 0 ? 1 : 0;
  counts_ = counts;
  counts_ready_ = true;
}

AnalyzedDocument::WordCache& AnalyzedDocument::word_cache(WordSplit split) {
  WordCache& cache = word_caches_[static_cast<std::size_t>(split)];
  if (!cache.words_ready) {
    cache.words.clear();
    if (split == WordSplit::kWhitespace) {
      split_whitespace_words(cache.words);
    } else {
      split_unicode_words(cache.words);
    }
    cache.words_ready = true;
  }
  return cache;
}

void AnalyzedDocument::split_whitespace_words(std::vector<Segment>& out) {
  const ByteClassIndex& classes = byte_classes();
  // A word starts where whitespace stops and ends where it starts again; both edges
  // come from the whitespace masks 64 bytes at a time, with no branch per byte.
  const std::size_t most = text_.size() / 2 + 2;
  if (word_starts_.size() < most) {
    word_starts_.resize(most);
    word_ends_.resize(most);
  }
  uint32_t* starts = word_starts_.data();
  uint32_t* ends = word_ends_.data();
  std::size_t starts_count = 0, ends_count = 0;
  uint64_t previous_space = 1;  // the text begins as if after whitespace
  for (std::size_t block = 0; block < classes.blocks(); ++block) {
    const uint64_t space = classes.whitespace(block);
    const uint64_t before = (space << 1) | previous_space;
    const auto base = static_cast<uint32_t>(64 * block);
    for (uint64_t bits = ~space & before; bits != 0; bits &= bits - 1) {
      starts[starts_count++] = base + static_cast<uint32_t>(std::countr_zero(bits));
    }
    for (uint64_t bits = space & ~before; bits != 0; bits &= bits - 1) {
      ends[ends_count++] = base + static_cast<uint32_t>(std::countr_zero(bits));
    }
    previous_space = space >> 63;
  }
  if (ends_count < starts_count) ends[ends_count++] = static_cast<uint32_t>(text_.size());
  out.resize(starts_count);
  const bool ascii = is_ascii();
  for (std::size_t i = 0; i < starts_count; ++i) {
    const std::size_t length = ends[i] - starts[i];
    out[i].text = text_.substr(starts[i], length);
    out[i].chars = ascii ? length : length - classes.continuation_bytes(starts[i], ends[i]);
  }
}

void AnalyzedDocument::split_unicode_words(std::vector<Segment>& out) {
  const bool ascii = is_ascii();
  if (ascii && text_.size() <= UINT32_MAX) {
    if (word_starts_.size() < text_.size()) {
      word_starts_.resize(text_.size());
      word_ends_.resize(text_.size());
    }
    // word_ends_ holds lengths here; the whitespace split is not running.
    const std::size_t count = split_words_ascii(text_, word_starts_.data(), word_ends_.data());
    out.resize(count);
    for (std::size_t k = 0; k < count; ++k) {
      out[k].text = text_.substr(word_starts_[k], word_ends_[k]);
      out[k].chars = word_ends_[k];
    }
    return;
  }
  scratch_views_.clear();
  segmenter_.split_words(text_, ascii, scratch_views_);
  for (std::string_view word : scratch_views_) {
    out.push_back(Segment{word, ascii ? word.size() : count_code_points(word)});
  }
  scratch_views_.clear();
}

std::span<const Segment> AnalyzedDocument::words(WordSplit split) {
  return word_cache(split).words;
}

std::span<const uint64_t> AnalyzedDocument::word_hashes(WordSplit split) {
  WordCache& cache = word_cache(split);
  if (!cache.hashes_ready) {
    cache.hashes.resize(cache.words.size());
    const char* end = text_.data() + text_.size();
    for (std::size_t i = 0; i < cache.words.size(); ++i)
      cache.hashes[i] = hash_word(cache.words[i].text, end);
    cache.hashes_ready = true;
  }
  return cache.hashes;
}

const WordStats& AnalyzedDocument::word_stats(WordSplit split) {
  WordCache& cache = word_cache(split);
  if (!cache.stats_ready) {
    WordStats stats;
    const ByteClassIndex& classes = byte_classes();
    for (const Segment& word : cache.words) {
      stats.chars += word.chars;
      stats.max_chars = std::max(stats.max_chars, word.chars);
      const auto begin = static_cast<std::size_t>(word.text.data() - text_.data());
      const std::size_t end = begin + word.text.size();
      if (classes.has_ascii_letter(begin, end)) {
        ++stats.alphabetic_words;
        ++stats.letter_words;
      } else if (classes.has_non_ascii(begin, end)) {
        stats.alphabetic_words += contains_alphabetic(word.text) ? 1 : 0;
        stats.letter_words += contains_letter(word.text) ? 1 : 0;
      }
    }
    cache.stats = stats;
    cache.stats_ready = true;
  }
  return cache.stats;
}

NgramIndex& AnalyzedDocument::ngrams(WordSplit split) {
  WordCache& cache = word_cache(split);
  if (!cache.ngrams_ready) {
    cache.ngrams.reset(word_hashes(split));
    cache.ngrams_ready = true;
  }
  return cache.ngrams;
}

}  // namespace curate::text
