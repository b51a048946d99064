#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace curate::dedup {

/// What a shingle is made of: consecutive words or consecutive code points.
enum class ShingleKind { kWord, kChar };

/// How a Shingler cuts and hashes a text. The defaults are datatrove's word 5-grams;
/// NeMo Curator's are ShingleKind::kChar with n = 24 (its `char_ngrams`).
struct ShingleOptions {
  ShingleKind kind = ShingleKind::kWord;
  int n = 5;                      ///< words per word shingle, code points per char shingle
  bool normalize_digits = false;  ///< datatrove: every decimal digit becomes '0'
  bool strip_diacritics = false;  ///< datatrove: drop combining marks (Mn) after NFD (ICU)
  uint64_t seed = 0;              ///< seed of the 64-bit base hash, XXH3_64bits_withSeed
};

/// Cut texts into shingles and hash each with XXH3_64bits_withSeed(shingle bytes, seed).
///
/// Normalisation, in this order: NFD and removal of combining marks (strip_diacritics,
/// only for non-ASCII text), lower case (ASCII by table, other characters by ICU's
/// simple case mapping u_tolower), decimal digits to '0' (normalize_digits).
/// - Word shingles: ASCII punctuation (!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~) becomes a space,
///   the text is split on whitespace (ASCII and Unicode White_Space), and a shingle is n
///   consecutive words joined by one space.
/// - Char shingles: runs of whitespace become one space, leading and trailing whitespace
///   is dropped, and a shingle is n consecutive code points (not bytes) of that text.
/// A text with fewer than n words (code points) gives exactly one shingle: the whole
/// normalised text; so an empty text (or one of punctuation only, for words) gives one
/// shingle, the empty string, whose hash is XXH3_64bits_withSeed("", 0, seed). Invalid
/// UTF-8 bytes are read as U+FFFD.
///
/// One Shingler per thread: it keeps buffers between calls so that, once warm, hashing a
/// document allocates nothing. Not thread-safe.
class Shingler {
 public:
  /// The longest text hashes() accepts (offsets are 32-bit and the normalised text can
  /// be three times longer); longer texts throw std::invalid_argument.
  static constexpr std::size_t kMaxTextBytes = 0x50000000;  // 1.25 GiB

  /// Keep `options`. Throws std::invalid_argument when options.n < 1.
  explicit Shingler(ShingleOptions options);

  /// Replace `out` with the hash of every shingle of `text`, in text order, repeats
  /// kept. Called once per document by the owning thread; allocates only while its
  /// buffers grow to the largest document seen.
  void hashes(std::string_view text, std::vector<uint64_t>& out);

  /// Like hashes(), then sort and drop repeats: the shingle set for exact Jaccard.
  void hash_set(std::string_view text, std::vector<uint64_t>& out);

  /// Return the options given at construction.
  const ShingleOptions& options() const { return options_; }

  /// Return the normalised text of the last hashes() call (words joined by one space
  /// for word shingles); valid until the next call. For tests and debugging.
  std::string_view normalized_text() const { return {text_.data(), text_size_}; }

 private:
  static void check_length(std::size_t bytes);
  void normalize(std::string_view text);
  void hash_words(std::vector<uint64_t>& out) const;
  void hash_chars(std::vector<uint64_t>& out);

  ShingleOptions options_;
  // Per ASCII byte: the byte to write, or kSeparator (whitespace; punctuation too for
  // word shingles).
  static constexpr uint8_t kSeparator = 0xFF;
  uint8_t ascii_map_[128];
  // Grown, never shrunk, never initialised: resizing a std::string would zero it per call.
  template <typename T>
  struct Buffer {
    std::unique_ptr<T[]> data_;
    std::size_t capacity_ = 0;
    T* reserve(std::size_t size);
    T* data() const { return data_.get(); }
  };

  Buffer<char> text_;  // the normalised text
  std::size_t text_size_ = 0;
  Buffer<uint32_t> starts_;      // word starts (kWord) or code point starts (kChar)
  std::size_t starts_size_ = 0;  // words (kWord) or code points (kChar; set by hash_chars)
  bool ascii_only_ = true;       // the normalised text is ASCII: code point i is byte i
  std::string decomposed_;       // NFD of the input when strip_diacritics meets non-ASCII
};

}  // namespace curate::dedup
