#include "curate/text/analyzed_document.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace curate::text {
namespace {

std::vector<std::string> texts(std::span<const Segment> segments) {
  std::vector<std::string> out;
  for (const Segment& segment : segments) out.emplace_back(segment.text);
  return out;
}

using Strings = std::vector<std::string>;

class AnalyzedDocumentTest : public ::testing::Test {
 protected:
  Strings list(std::string_view text, SegmentList which) {
    document_.reset(text);
    return texts(document_.segments(which));
  }
  AnalyzedDocument document_;
};

// Expected values are what CPython returns for the same calls.
TEST_F(AnalyzedDocumentTest, LinesSplitLikePython) {
  EXPECT_EQ(list("a\nb\n", SegmentList::kLines), (Strings{"a", "b", ""}));  // split("\n")
  EXPECT_EQ(list("a\nb\n", SegmentList::kTextLines), (Strings{"a", "b"}));  // splitlines()
  EXPECT_EQ(list("a\n\nb\n\n", SegmentList::kTextLines), (Strings{"a", "", "b", ""}));
  EXPECT_EQ(list("", SegmentList::kLines), (Strings{""}));
  EXPECT_EQ(list("", SegmentList::kTextLines), (Strings{}));
  EXPECT_EQ(list("no newline", SegmentList::kTextLines), (Strings{"no newline"}));
  EXPECT_EQ(list(" a\n \n\tb\n", SegmentList::kNonBlankLines), (Strings{" a", "\tb"}));
  // re.split("\n+", text)
  EXPECT_EQ(list("a\n\n\nb", SegmentList::kNewlineRunLines), (Strings{"a", "b"}));
  EXPECT_EQ(list("\na\n\nb\n\n", SegmentList::kNewlineRunLines), (Strings{"", "a", "b", ""}));
  EXPECT_EQ(list("\n\n", SegmentList::kNewlineRunLines), (Strings{"", ""}));
  EXPECT_EQ(list("", SegmentList::kNewlineRunLines), (Strings{""}));
}

TEST_F(AnalyzedDocumentTest, ParagraphsSplitLikePython) {
  // text.split("\n\n")
  EXPECT_EQ(list("a\n\nb", SegmentList::kParagraphs), (Strings{"a", "b"}));
  EXPECT_EQ(list("a\n\n\nb", SegmentList::kParagraphs), (Strings{"a", "\nb"}));
  EXPECT_EQ(list("a\n\n\n\nb\n\n", SegmentList::kParagraphs), (Strings{"a", "", "b", ""}));
  EXPECT_EQ(list("", SegmentList::kParagraphs), (Strings{""}));
  // re.split(r"\n{2,}", text.strip())
  EXPECT_EQ(list("\n a\n\n\n\nb\nc \n\n", SegmentList::kParagraphBlocks), (Strings{"a", "b\nc"}));
  EXPECT_EQ(list("  ", SegmentList::kParagraphBlocks), (Strings{""}));
}

TEST_F(AnalyzedDocumentTest, CrlfSplitsAsItsLfTwin) {
  const std::string lf = "one\ntwo\n\nthree\n\n\nfour\n";
  std::string crlf;
  for (char c : lf) {
    if (c == '\n') crlf.push_back('\r');
    crlf.push_back(c);
  }
  for (SegmentList which :
       {SegmentList::kLines, SegmentList::kTextLines, SegmentList::kNonBlankLines,
        SegmentList::kNewlineRunLines, SegmentList::kParagraphs, SegmentList::kParagraphBlocks}) {
    // Pieces may hold inner line ends (paragraphs); only those keep their "\r".
    Strings pieces = list(crlf, which);
    for (std::string& piece : pieces) std::erase(piece, '\r');
    EXPECT_EQ(pieces, list(lf, which)) << static_cast<int>(which);
  }
}

TEST_F(AnalyzedDocumentTest, CountsCharactersInOnePass) {
  document_.reset("Hi (there)! #1... 2\t\u2026 \u27e8x\u27e9{\n");
  const CharCounts& counts = document_.char_counts();
  EXPECT_EQ(counts.chars, 27u);
  EXPECT_EQ(counts.ascii_digits, 2u);
  EXPECT_EQ(counts.hashes, 1u);
  EXPECT_EQ(counts.newlines, 1u);
  EXPECT_EQ(counts.open_braces, 1u);
  EXPECT_EQ(counts.brackets, 5u);  // ( ) ⟨ ⟩ {
  EXPECT_EQ(counts.dot_ellipses, 1u);
  EXPECT_EQ(counts.ellipsis_chars, 1u);
  EXPECT_EQ(counts.nemo_whitespace, 6u);  // 4 spaces, \t, \n
  // [a-zA-Z0-9\n?!,.]: H i t h e r e ! 1 . . . 2 x \n
  EXPECT_EQ(counts.nemo_alphanumeric, 15u);
  EXPECT_FALSE(document_.is_ascii());
}

TEST_F(AnalyzedDocumentTest, DotRunsCountLikeStrCount) {
  for (auto [text, expected] : std::vector<std::pair<std::string, std::size_t>>{
           {"..", 0}, {"...", 1}, {"....", 1}, {"......", 2}, {"... ...", 2}, {".......", 2}}) {
    document_.reset(text);
    EXPECT_EQ(document_.char_counts().dot_ellipses, expected) << text;
  }
}

TEST_F(AnalyzedDocumentTest, WhitespaceWordsSplitLikeStrSplit) {
  document_.reset("  one\ttwo\u00a0three\u3000four\n\nfive\x1csix  ");
  EXPECT_EQ(texts(document_.words()), (Strings{"one", "two", "three", "four", "five", "six"}));
  document_.reset("");
  EXPECT_TRUE(document_.words().empty());
  document_.reset(" \n\t ");
  EXPECT_TRUE(document_.words().empty());
}

TEST_F(AnalyzedDocumentTest, UnicodeWordsAreTokens) {
  document_.reset("Hello, world! It's 3.5 km.");
  EXPECT_EQ(texts(document_.words(WordSplit::kUnicode)),
            (Strings{"Hello", ",", "world", "!", "It's", "3.5", "km", "."}));
}

TEST_F(AnalyzedDocumentTest, WordLengthsAreCodePoints) {
  document_.reset("na\u00efve cafe\u0301 \u4e2d\u6587 \U0001F600");
  const auto words = document_.words();
  ASSERT_EQ(words.size(), 4u);
  EXPECT_EQ(words[0].chars, 5u);
  EXPECT_EQ(words[1].chars, 5u);  // e + combining acute
  EXPECT_EQ(words[2].chars, 2u);
  EXPECT_EQ(words[3].chars, 1u);
  const WordStats& stats = document_.word_stats();
  EXPECT_EQ(stats.chars, 13u);
  EXPECT_EQ(stats.max_chars, 5u);
  EXPECT_EQ(stats.letter_words, 3u);
  EXPECT_EQ(stats.alphabetic_words, 3u);
}

TEST_F(AnalyzedDocumentTest, DuplicatesFollowFindDuplicates) {
  document_.reset("a\nbb\na\nbb\na\nccc");
  const DuplicateStats& stats = document_.duplicates(SegmentList::kLines);
  EXPECT_EQ(stats.items, 6u);
  EXPECT_EQ(stats.duplicate_items, 3u);  // a, bb, a after their first occurrence
  EXPECT_EQ(stats.chars, 10u);
  EXPECT_EQ(stats.duplicate_chars, 4u);
}

TEST_F(AnalyzedDocumentTest, ResetForgetsTheLastDocument) {
  document_.reset("one two three");
  EXPECT_EQ(document_.words().size(), 3u);
  EXPECT_EQ(document_.num_chars(), 13u);
  document_.reset("four");
  EXPECT_EQ(document_.words().size(), 1u);
  EXPECT_EQ(document_.num_chars(), 4u);
  EXPECT_EQ(texts(document_.segments(SegmentList::kLines)), (Strings{"four"}));
}

}  // namespace
}  // namespace curate::text
