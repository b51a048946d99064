// The line and paragraph lists of AnalyzedDocument, and their duplicate statistics.
// Each list reproduces one Python split exactly (see SegmentList), except that a "\r"
// before "\n" ends a line rather than belonging to it.

#include "curate/text/analyzed_document.hpp"
#include "curate/text/unicode_text.hpp"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace curate::text {
namespace {

// Return the length of the newline token ("\n" or "\r\n") starting at `pos`, or 0.
std::size_t newline_at(std::string_view text, std::size_t pos) {
  if (pos < text.size() && text[pos] == '\n') return 1;
  if (pos + 1 < text.size() && text[pos] == '\r' && text[pos + 1] == '\n') return 2;
  return 0;
}

}  // namespace

std::span<const Segment> AnalyzedDocument::segments(SegmentList list) {
  SegmentCache& cache = segment_caches_[static_cast<std::size_t>(list)];
  if (!cache.ready) {
    cache.items.clear();
    build_segments(list, cache.items);
    cache.ready = true;
  }
  return cache.items;
}

void AnalyzedDocument::build_segments(SegmentList list, std::vector<Segment>& out) {
  const std::string_view text = text_;
  auto push = [&](std::string_view piece) { out.push_back(Segment{piece, chars_of(piece)}); };
  switch (list) {
    case SegmentList::kLines: {
      std::size_t start = 0;
      for (;;) {
        const std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) break;
        const std::size_t content_end = (end > start && text[end - 1] == '\r') ? end - 1 : end;
        push(text.substr(start, content_end - start));
        start = end + 1;
      }
      push(text.substr(start));
      return;
    }
    case SegmentList::kTextLines: {
      const auto lines = segments(SegmentList::kLines);
      const bool drop_last = text.empty() || text.back() == '\n';
      out.assign(lines.begin(), lines.end() - (drop_last ? 1 : 0));
      return;
    }
    case SegmentList::kNonBlankLines:
      for (const Segment& line : segments(SegmentList::kLines)) {
        if (!strip(line.text).empty()) out.push_back(line);
      }
      return;
    case SegmentList::kNewlineRunLines: {
      const auto lines = segments(SegmentList::kLines);
      // Runs of newlines collapse, so only a leading or trailing empty piece survives.
      for (std::size_t i = 0; i < lines.size(); ++i) {
        if (!lines[i].text.empty() || i == 0 || i + 1 == lines.size()) out.push_back(lines[i]);
      }
      return;
    }
    case SegmentList::kParagraphs:
    case SegmentList::kParagraphBlocks: {
      const bool runs = list == SegmentList::kParagraphBlocks;
      const std::string_view body = runs ? strip(text) : text;
      std::size_t start = 0;
      std::size_t i = 0;
      while ((i = body.find('\n', i)) != std::string_view::npos) {
        // The separator starts at the "\r" of a CRLF when that "\r" is in this piece.
        const std::size_t sep_start = (i > start && body[i - 1] == '\r') ? i - 1 : i;
        std::size_t sep_end = i + 1;
        std::size_t tokens = 1;
        for (std::size_t next; (next = newline_at(body, sep_end)) > 0 && (runs || tokens < 2);) {
          sep_end += next;
          ++tokens;
        }
        if (tokens < 2) {
          i = sep_end;
          continue;
        }
        push(body.substr(start, sep_start - start));
        start = i = sep_end;
      }
      push(body.substr(start));
      return;
    }
  }
}

const DuplicateStats& AnalyzedDocument::duplicates(SegmentList list) {
  SegmentCache& cache = segment_caches_[static_cast<std::size_t>(list)];
  if (!cache.ready || !cache.duplicates_ready) {
    const auto items = segments(list);
    DuplicateStats stats;
    counter_.clear(items.size());
    for (const Segment& item : items) {
      stats.chars += item.chars;
      if (counter_.count_at(counter_.add(XXH3_64bits(item.text.data(), item.text.size()))) > 1) {
        ++stats.duplicate_items;
        stats.duplicate_chars += item.chars;
      }
    }
    stats.items = items.size();
    cache.duplicates = stats;
    cache.duplicates_ready = true;
  }
  return cache.duplicates;
}

}  // namespace curate::text
