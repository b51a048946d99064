#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "random.hpp"
#include "word_source.hpp"

namespace curate::tools {

/// What a generated document is meant to be; written to the record's "quality" field.
enum class Quality { kGood, kBoilerplate, kRepeatedLines, kSymbolSoup, kTooShort };

/// Return the "quality" field value: "good", "boilerplate", "repeated_lines",
/// "symbol_soup" or "too_short".
std::string_view quality_name(Quality quality);

/// Return the low-quality kind number `index` (0..3) in a fixed order.
Quality low_quality_kind(std::uint64_t index);

/// The number of low-quality kinds low_quality_kind() accepts.
inline constexpr std::uint64_t kLowQualityKinds = 4;

/// Write English-like and deliberately bad document texts.
///
/// Good text: sentences of 3-24 words drawn from the WordSource, capitalised,
/// commas now and then, ending in '.', '?' or '!'; 1-4 sentences per line, lines of
/// a paragraph joined by "\n", paragraphs by "\n\n". Every text is ASCII except
/// the bullets and copyright signs of some low-quality kinds (valid UTF-8).
/// All methods are const and take the caller's Random, so the text is a pure
/// function of that generator's state: regenerating a document reproduces it.
class TextGenerator {
 public:
  /// Keep a reference to `words`, which must outlive the generator.
  explicit TextGenerator(const WordSource& words) : words_(words) {}

  /// Replace `out` with good text of whole sentences, at least `target_bytes` long
  /// (it stops after the sentence that reaches the target).
  void good_text(Random& random, std::size_t target_bytes, std::string& out) const;

  /// Replace `out` with a low-quality text of kind `quality` (not kGood). Only
  /// repeated lines scale with `target_bytes`; the other kinds have their own size.
  void low_quality_text(Quality quality, Random& random, std::size_t target_bytes,
                        std::string& out) const;

  /// Append one sentence (no trailing whitespace) to `out`.
  void append_sentence(Random& random, std::string& out) const;

 private:
  void boilerplate(Random& random, std::string& out) const;
  void repeated_lines(Random& random, std::size_t target_bytes, std::string& out) const;
  void symbol_soup(Random& random, std::string& out) const;
  void too_short(Random& random, std::string& out) const;

  const WordSource& words_;
};

}  // namespace curate::tools
