#include "curate/text/segmenter.hpp"

#include "curate/text/unicode_text.hpp"

#include <unicode/brkiter.h>
#include <unicode/utext.h>

#include <array>
#include <stdexcept>
#include <string>

namespace curate::text {
namespace {

// ----- Words (UAX #29 word boundaries, restricted to ASCII) -----

enum class WordClass : uint8_t { kOther, kLetter, kDigit, kUnderscore, kMid, kSpace };

constexpr std::array<WordClass, 128> make_word_classes() {
  std::array<WordClass, 128> table{};
  for (int c = 'a'; c <= 'z'; ++c) table[c] = WordClass::kLetter;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = WordClass::kLetter;
  for (int c = '0'; c <= '9'; ++c) table[c] = WordClass::kDigit;
  table['_'] = WordClass::kUnderscore;
  table['.'] = table['\''] = table[','] = table[';'] = WordClass::kMid;
  for (int c = 0x09; c <= 0x0D; ++c) table[c] = WordClass::kSpace;
  for (int c = 0x1C; c <= 0x20; ++c) table[c] = WordClass::kSpace;
  return table;
}
constexpr auto kWordClasses = make_word_classes();

WordClass word_class(char c) { return kWordClasses[static_cast<unsigned char>(c) & 0x7F]; }

bool is_word_char(WordClass cls) {
  return cls == WordClass::kLetter || cls == WordClass::kDigit || cls == WordClass::kUnderscore;
}

// WB6/WB7: letter (MidLetter | MidNumLetQ) letter; WB11/WB12: digit (MidNum | MidNumLetQ)
// digit. For ASCII, MidNumLetQ is '.' and '\'', MidNum is ',' and ';' (ICU's root rules
// leave ':' out of MidLetter).
bool joins(char before, char mid, char after) {
  const WordClass left = word_class(before);
  const WordClass right = word_class(after);
  if (left == WordClass::kLetter && right == WordClass::kLetter) return mid == '.' || mid == '\'';
  return left == WordClass::kDigit && right == WordClass::kDigit;
}

// ----- Sentences (UAX #29 sentence boundaries, restricted to ASCII) -----

enum class SentenceClass : uint8_t {
  kOther,
  kCr,
  kLf,
  kSp,
  kLower,
  kUpper,
  kNumeric,
  kATerm,
  kSTerm,
  kClose,
  kSContinue
};

constexpr std::array<SentenceClass, 128> make_sentence_classes() {
  std::array<SentenceClass, 128> table{};
  table['\r'] = SentenceClass::kCr;
  table['\n'] = SentenceClass::kLf;
  table['\t'] = table['\v'] = table['\f'] = table[' '] = SentenceClass::kSp;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = SentenceClass::kLower;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = SentenceClass::kUpper;
  for (int c = '0'; c <= '9'; ++c) table[c] = SentenceClass::kNumeric;
  table['.'] = SentenceClass::kATerm;
  table['!'] = table['?'] = SentenceClass::kSTerm;
  for (char c : {'"', '\'', '(', ')', '[', ']', '{', '}'}) table[c] = SentenceClass::kClose;
  table[','] = table['-'] = table[':'] = SentenceClass::kSContinue;
  return table;
}
constexpr auto kSentenceClasses = make_sentence_classes();

SentenceClass sentence_class(char c) {
  return kSentenceClasses[static_cast<unsigned char>(c) & 0x7F];
}

bool is_paragraph_separator(SentenceClass cls) {
  return cls == SentenceClass::kCr || cls == SentenceClass::kLf;
}
bool is_terminator(SentenceClass cls) {
  return cls == SentenceClass::kATerm || cls == SentenceClass::kSTerm;
}

// Decide whether a sentence boundary lies between text[i - 1] and text[i], applying
// rules SB3..SB998 in order, as ICU does.
bool is_sentence_break(std::string_view text, std::size_t i) {
  const SentenceClass before = sentence_class(text[i - 1]);
  const SentenceClass after = sentence_class(text[i]);
  if (before == SentenceClass::kCr && after == SentenceClass::kLf) return false;          // SB3
  if (is_paragraph_separator(before)) return true;                                        // SB4
  if (before == SentenceClass::kATerm && after == SentenceClass::kNumeric) return false;  // SB6
  if (i >= 2 && before == SentenceClass::kATerm && after == SentenceClass::kUpper) {      // SB7
    const SentenceClass first = sentence_class(text[i - 2]);
    if (first == SentenceClass::kUpper || first == SentenceClass::kLower) return false;
  }
  // Match the left context against SATerm Close* Sp*.
  std::size_t j = i;
  bool saw_space = false;
  while (j > 0 && sentence_class(text[j - 1]) == SentenceClass::kSp) --j, saw_space = true;
  while (j > 0 && sentence_class(text[j - 1]) == SentenceClass::kClose) --j;
  const SentenceClass terminator = j > 0 ? sentence_class(text[j - 1]) : SentenceClass::kOther;
  if (!is_terminator(terminator)) return false;  // SB998
  if (terminator == SentenceClass::kATerm) {     // SB8: a lower-case word continues
    std::size_t k = i;
    while (k < text.size()) {
      const SentenceClass cls = sentence_class(text[k]);
      if (cls == SentenceClass::kLower) return false;
      if (cls == SentenceClass::kUpper || is_paragraph_separator(cls) || is_terminator(cls)) break;
      ++k;
    }
  }
  if (after == SentenceClass::kSContinue || is_terminator(after)) return false;  // SB8a
  const bool space_or_separator = after == SentenceClass::kSp || is_paragraph_separator(after);
  if (!saw_space && (after == SentenceClass::kClose || space_or_separator)) return false;  // SB9
  if (space_or_separator) return false;                                                    // SB10
  return true;                                                                             // SB11
}

void push_stripped(std::string_view segment, std::vector<std::string_view>& out) {
  const std::string_view stripped = strip(segment);
  if (!stripped.empty()) out.push_back(stripped);
}

}  // namespace

std::size_t split_words_ascii(std::string_view text, uint32_t* starts, uint32_t* lengths) {
  const std::size_t n = text.size();
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < n) {
    const WordClass cls = word_class(text[i]);
    if (cls == WordClass::kSpace) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    if (!is_word_char(cls)) {
      ++i;  // punctuation and symbols are segments of one character
    } else {
      for (;;) {
        while (i < n && is_word_char(word_class(text[i]))) ++i;
        if (i + 1 < n && word_class(text[i]) == WordClass::kMid &&
            joins(text[i - 1], text[i], text[i + 1])) {
          i += 2;
          continue;
        }
        break;
      }
    }
    starts[count] = static_cast<uint32_t>(start);
    lengths[count] = static_cast<uint32_t>(i - start);
    ++count;
  }
  return count;
}

void split_words_ascii(std::string_view text, std::vector<std::string_view>& out) {
  std::vector<uint32_t> starts(text.size()), lengths(text.size());
  const std::size_t count = split_words_ascii(text, starts.data(), lengths.data());
  for (std::size_t k = 0; k < count; ++k) out.push_back(text.substr(starts[k], lengths[k]));
}

void split_sentences_ascii(std::string_view text, std::vector<std::string_view>& out) {
  // A break needs a paragraph separator (SB4) or "SATerm Close* Sp*" (SB11) just before
  // it, so only the end of each such run is a candidate: jump from one terminator or
  // line end to the next instead of testing every position.
  const std::size_t n = text.size();
  std::size_t start = 0;
  std::size_t i = 0;
  auto cut = [&](std::size_t at) {
    push_stripped(text.substr(start, at - start), out);
    start = at;
  };
  while (i < n) {
    const SentenceClass cls = sentence_class(text[i]);
    if (is_paragraph_separator(cls)) {
      const std::size_t end =
          (cls == SentenceClass::kCr && i + 1 < n && text[i + 1] == '\n') ? i + 2 : i + 1;
      if (end < n) cut(end);
      i = end;
      continue;
    }
    if (!is_terminator(cls)) {
      ++i;
      continue;
    }
    std::size_t end = i + 1;
    while (end < n && is_terminator(sentence_class(text[end]))) ++end;
    while (end < n && sentence_class(text[end]) == SentenceClass::kClose) ++end;
    while (end < n && sentence_class(text[end]) == SentenceClass::kSp) ++end;
    if (end < n && is_sentence_break(text, end)) cut(end);
    i = end;
  }
  if (start < n) push_stripped(text.substr(start), out);
}

struct UnicodeSegmenter::IcuState {
  std::unique_ptr<icu::BreakIterator> word;
  std::unique_ptr<icu::BreakIterator> sentence;
  UText* utext = nullptr;

  ~IcuState() {
    if (utext != nullptr) utext_close(utext);
  }

  static std::unique_ptr<icu::BreakIterator> create(bool words) {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> iterator(
        words ? icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), status)
              : icu::BreakIterator::createSentenceInstance(icu::Locale::getRoot(), status));
    if (U_FAILURE(status) || !iterator) {
      throw std::runtime_error(std::string("cannot create an ICU break iterator: ") +
                               u_errorName(status) + "; check that ICU data is installed");
    }
    return iterator;
  }

  void run(bool words, std::string_view text, std::vector<std::string_view>& out) {
    if (text.empty()) return;
    auto& slot = words ? word : sentence;
    if (!slot) slot = create(words);
    UErrorCode status = U_ZERO_ERROR;
    // Reuse one UText: reopening it over new bytes allocates nothing. Offsets are bytes.
    utext = utext_openUTF8(utext, text.data(), static_cast<int64_t>(text.size()), &status);
    slot->setText(utext, status);
    if (U_FAILURE(status)) {
      throw std::runtime_error(std::string("ICU cannot segment text: ") + u_errorName(status));
    }
    int32_t start = slot->first();
    for (int32_t end = slot->next(); end != icu::BreakIterator::DONE; end = slot->next()) {
      push_stripped(
          text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start)), out);
      start = end;
    }
  }
};

UnicodeSegmenter::UnicodeSegmenter() : icu_(std::make_unique<IcuState>()) {}
UnicodeSegmenter::~UnicodeSegmenter() = default;

void UnicodeSegmenter::split_words(std::string_view text, bool ascii,
                                   std::vector<std::string_view>& out) {
  if (ascii) {
    split_words_ascii(text, out);
  } else {
    split_words_icu(text, out);
  }
}

void UnicodeSegmenter::split_sentences(std::string_view text, bool ascii,
                                       std::vector<std::string_view>& out) {
  if (ascii) {
    split_sentences_ascii(text, out);
  } else {
    split_sentences_icu(text, out);
  }
}

void UnicodeSegmenter::split_words_icu(std::string_view text, std::vector<std::string_view>& out) {
  icu_->run(true, text, out);
}

void UnicodeSegmenter::split_sentences_icu(std::string_view text,
                                           std::vector<std::string_view>& out) {
  icu_->run(false, text, out);
}

}  // namespace curate::text
