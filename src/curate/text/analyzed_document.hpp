#pragma once

#include "curate/text/byte_classes.hpp"
#include "curate/text/flat_hash_counter.hpp"
#include "curate/text/ngram_index.hpp"
#include "curate/text/segmenter.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace curate::text {

/// A piece of a document (word, line, paragraph) and its length in code points, the
/// unit every published rule measures "characters" in (Python's `len`).
struct Segment {
  std::string_view text;
  std::size_t chars = 0;
};

/// How a document is split into words.
enum class WordSplit : uint8_t {
  kWhitespace,  ///< Python's `str.split()`: NeMo Curator's splitter for English
  kUnicode,     ///< UAX #29 word segments without whitespace (ICU; datatrove-like tokens)
};

/// Which list of lines or paragraphs. "Line" ends at "\n"; a "\r" before it is not part
/// of the line, so CRLF text splits as its LF twin does.
enum class SegmentList : uint8_t {
  kLines,            ///< `text.split("\n")` (FineWeb)
  kTextLines,        ///< `text.splitlines()`: no empty last line after a final newline
  kNonBlankLines,    ///< lines with a non-whitespace character (NeMo's "sentences")
  kNewlineRunLines,  ///< `re.split("\n+", text)` (Gopher repetition)
  kParagraphs,       ///< `text.split("\n\n")` (NeMo Curator)
  kParagraphBlocks,  ///< `re.split(r"\n{2,}", text.strip())` (Gopher repetition)
};
inline constexpr std::size_t kSegmentListCount = 6;

/// Character counts of one document, from one pass over its bytes. Characters are code
/// points; the sets are the originals' (see the comment of each filter).
struct CharCounts {
  std::size_t chars = 0;              ///< code points (Python `len(text)`)
  std::size_t nemo_alphanumeric = 0;  ///< [a-zA-Z0-9\n?!,.]
  std::size_t ascii_digits = 0;       ///< [0-9] (the `regex` module's [[:digit:]])
  std::size_t nemo_whitespace = 0;    ///< \t \n \r \b and space
  std::size_t brackets = 0;           ///< ( ) [ ] { } and U+27E8, U+27E9
  std::size_t hashes = 0;             ///< '#'
  std::size_t newlines = 0;           ///< '\n'
  std::size_t open_braces = 0;        ///< '{'
  std::size_t dot_ellipses = 0;       ///< non-overlapping "..." (Python `text.count("...")`)
  std::size_t ellipsis_chars = 0;     ///< U+2026 '…'
};

/// The result of datatrove's `find_duplicates` over a list: items equal to an earlier
/// item are duplicates; their characters are the duplicate characters.
struct DuplicateStats {
  std::size_t items = 0;
  std::size_t duplicate_items = 0;
  std::size_t chars = 0;            ///< characters of all items
  std::size_t duplicate_chars = 0;  ///< characters of the duplicate items
};

/// Summary of one word list, shared by the word-level rules.
struct WordStats {
  std::size_t chars = 0;             ///< sum of word lengths
  std::size_t max_chars = 0;         ///< longest word
  std::size_t alphabetic_words = 0;  ///< words with an Alphabetic character
  std::size_t letter_words = 0;      ///< words with a letter (Python `isalpha`)
};

/// One document analysed once for every filter of a stage: words, lines, paragraphs,
/// counts and n-grams are computed on first request, cached until the next `reset`, and
/// kept in buffers reused across documents, so a warmed-up instance allocates nothing
/// per document. ASCII text takes fast paths; other text uses ICU where rules need it.
/// One instance per stage instance; not thread-safe. Views it returns are valid until
/// the next `reset` and refer into the text, which the caller keeps alive.
class AnalyzedDocument {
 public:
  AnalyzedDocument();
  ~AnalyzedDocument();
  AnalyzedDocument(const AnalyzedDocument&) = delete;
  AnalyzedDocument& operator=(const AnalyzedDocument&) = delete;

  /// Start analysing `text` (O(1): forgets the previous document's results).
  void reset(std::string_view text);
  /// Return the text being analysed.
  std::string_view text() const { return text_; }

  /// Return true when the text is all ASCII.
  bool is_ascii();
  /// Return the number of code points.
  std::size_t num_chars() { return char_counts().chars; }
  /// Return the character counts (one histogram pass over the bytes).
  const CharCounts& char_counts();

  /// Return the words of the text.
  std::span<const Segment> words(WordSplit split = WordSplit::kWhitespace);
  /// Return the XXH3 hash of each word of `words(split)`.
  std::span<const uint64_t> word_hashes(WordSplit split = WordSplit::kWhitespace);
  /// Return the lengths and letter counts of `words(split)`.
  const WordStats& word_stats(WordSplit split = WordSplit::kWhitespace);
  /// Return the n-gram index over `words(split)`.
  NgramIndex& ngrams(WordSplit split = WordSplit::kWhitespace);

  /// Return a list of lines or paragraphs.
  std::span<const Segment> segments(SegmentList list);
  /// Return the duplicate statistics of `segments(list)` (items compared by XXH3).
  const DuplicateStats& duplicates(SegmentList list);

  /// Return the segmenter (ICU iterators) for rules that split further (sentences).
  UnicodeSegmenter& segmenter() { return segmenter_; }
  /// Return a string buffer a filter may use while it scores (cleared by the user).
  std::string& scratch() { return scratch_; }
  /// Return a view buffer a filter may use while it scores (cleared by the user).
  std::vector<std::string_view>& scratch_views() { return scratch_views_; }

  /// Return the code-point length of a piece of this document's text.
  std::size_t chars_of(std::string_view piece);
  /// Return the byte classes of the text (whitespace, letters, continuation bytes).
  const ByteClassIndex& byte_classes();

 private:
  struct WordCache {
    bool words_ready = false;
    bool hashes_ready = false;
    bool stats_ready = false;
    bool ngrams_ready = false;
    std::vector<Segment> words;
    std::vector<uint64_t> hashes;
    WordStats stats;
    NgramIndex ngrams;
  };
  struct SegmentCache {
    bool ready = false;
    bool duplicates_ready = false;
    std::vector<Segment> items;
    DuplicateStats duplicates;
  };

  WordCache& word_cache(WordSplit split);
  void split_whitespace_words(std::vector<Segment>& out);
  void split_unicode_words(std::vector<Segment>& out);
  void build_segments(SegmentList list, std::vector<Segment>& out);
  void count_chars();

  std::string_view text_;
  int ascii_ = -1;  // -1 unknown, 0 no, 1 yes
  bool classes_ready_ = false;
  ByteClassIndex classes_;
  std::vector<uint32_t> word_starts_;
  std::vector<uint32_t> word_ends_;
  bool counts_ready_ = false;
  CharCounts counts_;
  std::array<WordCache, 2> word_caches_;
  std::array<SegmentCache, kSegmentListCount> segment_caches_;
  FlatHashCounter counter_;
  UnicodeSegmenter segmenter_;
  std::string scratch_;
  std::vector<std::string_view> scratch_views_;
};

}  // namespace curate::text
