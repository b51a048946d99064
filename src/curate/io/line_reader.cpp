#include "curate/io/line_reader.hpp"

#include <algorithm>
#include <cstring>

namespace curate::io {

LineReader::LineReader(std::size_t chunk_bytes, std::size_t max_line_bytes)
    : chunk_bytes_(std::max<std::size_t>(chunk_bytes, 4096)),
      max_line_bytes_(std::max<std::size_t>(max_line_bytes, 1)) {}

void LineReader::reset(InputStream& stream) {
  stream_ = &stream;
  begin_ = scanned_ = end_ = 0;
  line_number_ = 0;
  at_end_ = finished_ = false;
  if (capacity_ == 0) {
    // A small file need not cost a whole chunk.
    const std::uint64_t hint = stream.size_hint();
    const std::size_t wanted =
        hint == 0 ? chunk_bytes_
                  : static_cast<std::size_t>(std::min<std::uint64_t>(hint + 1, chunk_bytes_));
    grow(std::max<std::size_t>(wanted, 4096));
  }
}

void LineReader::grow(std::size_t capacity) {
  auto bigger = std::make_unique<char[]>(capacity + kLinePadding);
  const std::size_t live = end_ - begin_;
  if (live > 0) std::memcpy(bigger.get(), buffer_.get() + begin_, live);
  // The padding is never part of a line, but simdjson may read it: keep it defined.
  std::memset(bigger.get() + capacity, ' ', kLinePadding);
  buffer_ = std::move(bigger);
  capacity_ = capacity;
  end_ = live;
  begin_ = 0;
}

// Move the unconsumed tail to the front and read more after it; false at the end.
bool LineReader::fill() {
  if (at_end_) return false;
  if (begin_ > 0) {
    const std::size_t live = end_ - begin_;
    std::memmove(buffer_.get(), buffer_.get() + begin_, live);
    begin_ = 0;
    end_ = live;
  }
  if (end_ == capacity_) {
    // A line fills the buffer: grow up to the limit (+2 for "\r\n"), in chunk steps.
    const std::size_t limit = max_line_bytes_ + 2;
    if (capacity_ >= limit) return true;  // the caller turns this into skip_long_line
    grow(std::min(limit, std::max(capacity_ * 2, chunk_bytes_)));
  }
  const std::size_t got = stream_->read(buffer_.get() + end_, capacity_ - end_);
  if (got == 0) {
    at_end_ = true;
    return false;
  }
  end_ += got;
  return true;
}

bool LineReader::skip_long_line(Line& line) {
  // Drop the buffered part and keep reading until the newline; nothing is kept, so a
  // gigabyte-long line costs no memory.
  line.number = ++line_number_;
  line.status = LineStatus::TooLong;
  line.bytes = {};
  for (;;) {
    const char* data = buffer_.get();
    const void* newline = std::memchr(data + begin_, '\n', end_ - begin_);
    if (newline != nullptr) {
      begin_ = static_cast<std::size_t>(static_cast<const char*>(newline) - data) + 1;
      scanned_ = 0;
      return true;
    }
    begin_ = end_ = scanned_ = 0;
    const std::size_t got = stream_->read(buffer_.get(), capacity_);
    if (got == 0) {
      at_end_ = true;
      return true;
    }
    end_ = got;
  }
}

bool LineReader::next(Line& line) {
  if (stream_ == nullptr || finished_) return false;
  for (;;) {
    char* data = buffer_.get();
    const std::size_t from = begin_ + scanned_;
    const void* found = std::memchr(data + from, '\n', end_ - from);
    if (found != nullptr) {
      const auto newline = static_cast<std::size_t>(static_cast<const char*>(found) - data);
      std::size_t stop = newline;
      if (stop > begin_ && data[stop - 1] == '\r') --stop;
      line.number = ++line_number_;
      if (stop - begin_ > max_line_bytes_) {
        line.status = LineStatus::TooLong;
        line.bytes = {};
      } else {
        line.status = LineStatus::Ok;
        line.bytes = std::string_view(data + begin_, stop - begin_);
      }
      begin_ = newline + 1;
      scanned_ = 0;
      return true;
    }
    scanned_ = end_ - begin_;
    const std::size_t live_before = end_ - begin_;
    if (fill()) {
      if (end_ - begin_ == live_before && live_before >= max_line_bytes_ + 2) {
        return skip_long_line(line);
      }
      continue;
    }
    // The stream ended (or broke): what is buffered is the last line, if anything.
    finished_ = true;
    const StreamDamage damage = stream_->damage();
    if (damage != StreamDamage::None) {
      line.number = ++line_number_;
      line.status = LineStatus::Damaged;
      line.bytes = {};
      return true;
    }
    if (begin_ == end_) return false;
    std::size_t stop = end_;
    if (data[stop - 1] == '\r') --stop;
    line.number = ++line_number_;
    line.status = stop - begin_ > max_line_bytes_ ? LineStatus::TooLong : LineStatus::Ok;
    line.bytes = line.status == LineStatus::Ok ? std::string_view(data + begin_, stop - begin_)
                                               : std::string_view();
    // The final line has no "\n" after it: the padding follows at end_, but begin_..end_
    // may sit at the very end of the buffer, which kLinePadding covers.
    begin_ = end_;
    return true;
  }
}

}  // namespace curate::io
