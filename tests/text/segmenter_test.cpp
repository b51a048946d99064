#include "curate/text/segmenter.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace curate::text {
namespace {

using Pieces = std::vector<std::string_view>;

Pieces ascii_words(std::string_view text) {
  Pieces out;
  split_words_ascii(text, out);
  return out;
}

TEST(SegmenterTest, AsciiWordsFollowUax29) {
  EXPECT_EQ(ascii_words("don't e.g. 3.14 1,000;5 foo_bar a:b"),
            (Pieces{"don't", "e.g", ".", "3.14", "1,000;5", "foo_bar", "a", ":", "b"}));
  EXPECT_EQ(ascii_words("Hello, world!"), (Pieces{"Hello", ",", "world", "!"}));
  EXPECT_EQ(ascii_words("x...y"), (Pieces{"x", ".", ".", ".", "y"}));
  EXPECT_EQ(ascii_words("  \t\r\n "), Pieces{});
  EXPECT_EQ(ascii_words(""), Pieces{});
}

// The ASCII fast paths must give exactly what ICU gives, or a document's statistics would
// change when one non-ASCII character appears in it.
TEST(SegmenterTest, AsciiFastPathsMatchIcuOnRandomText) {
  UnicodeSegmenter segmenter;
  std::mt19937 random(7);
  const std::string alphabets[] = {"aAbZ09._',;:!?\"()[]{}- \t\n\r\v\f#$x\x1c",
                                   "aaabbZZ09.... ?!\"()- \n,:;xyQ"};
  for (const std::string& alphabet : alphabets) {
    for (int iteration = 0; iteration < 20000; ++iteration) {
      std::string text;
      const int length = static_cast<int>(random() % 32);
      for (int i = 0; i < length; ++i) text.push_back(alphabet[random() % alphabet.size()]);
      Pieces fast, icu;
      split_words_ascii(text, fast);
      segmenter.split_words_icu(text, icu);
      ASSERT_EQ(fast, icu) << "words of [" << text << "]";
      fast.clear();
      icu.clear();
      split_sentences_ascii(text, fast);
      segmenter.split_sentences_icu(text, icu);
      ASSERT_EQ(fast, icu) << "sentences of [" << text << "]";
    }
  }
}

TEST(SegmenterTest, SentencesFollowUax29) {
  Pieces out;
  split_sentences_ascii("Mr. Smith went. he said! Yes? \"No.\" (ok.) e.g. this 3.5 x. Then", out);
  EXPECT_EQ(out, (Pieces{"Mr.", "Smith went. he said!", "Yes?", "\"No.\" (ok.) e.g. this 3.5 x.",
                         "Then"}));
  out.clear();
  split_sentences_ascii("One. Two. Three.", out);
  EXPECT_EQ(out.size(), 3u);
  out.clear();
  split_sentences_ascii("   ", out);
  EXPECT_TRUE(out.empty());
}

TEST(SegmenterTest, IcuSegmentsChineseWithItsDictionary) {
  UnicodeSegmenter segmenter;
  Pieces words;
  // "我们喜欢学习中文。" -> several words, not one run, and the full stop on its own.
  segmenter.split_words("\u6211\u4eec\u559c\u6b22\u5b66\u4e60\u4e2d\u6587\u3002", false, words);
  EXPECT_GE(words.size(), 4u);
  EXPECT_EQ(words.back(), "\u3002");
  Pieces sentences;
  segmenter.split_sentences("\u4eca\u5929\u5f88\u597d\u3002\u660e\u5929\u89c1\uff01", false,
                            sentences);
  EXPECT_EQ(sentences.size(), 2u);
}

TEST(SegmenterTest, IcuKeepsArabicEmojiAndCombiningMarksTogether) {
  UnicodeSegmenter segmenter;
  Pieces words;
  segmenter.split_words("\u0645\u0631\u062d\u0628\u0627 \u0628\u0643\u0645", false, words);
  EXPECT_EQ(words, (Pieces{"\u0645\u0631\u062d\u0628\u0627", "\u0628\u0643\u0645"}));
  words.clear();
  // A skin-toned thumbs-up and a family (ZWJ sequence) are one segment each.
  segmenter.split_words("ok \U0001F44D\U0001F3FD \U0001F468\u200D\U0001F469\u200D\U0001F467", false,
                        words);
  EXPECT_EQ(words,
            (Pieces{"ok", "\U0001F44D\U0001F3FD", "\U0001F468\u200D\U0001F469\u200D\U0001F467"}));
  words.clear();
  segmenter.split_words("cafe\u0301 na\u0308ive", false, words);
  EXPECT_EQ(words, (Pieces{"cafe\u0301", "na\u0308ive"}));
}

TEST(SegmenterTest, DispatchesOnTheAsciiFlag) {
  UnicodeSegmenter segmenter;
  Pieces a, b;
  segmenter.split_words("The end.", true, a);
  segmenter.split_words("The end.", false, b);
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace curate::text
