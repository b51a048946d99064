#include "curate/io/line_reader.hpp"

#include <algorithm>
#include <cstring>

namespace curate::io {
namespace {

constexpr std::size_t kReadBytes = 1u << 20;

}  // namespace

LineReader::LineReader(std::size_t chunk_bytes, std::size_t max_line_bytes)
    : chunk_bytes_(std::max<std::size_t>(chunk_bytes, 4096)),
      max_line_bytes_(std::max<std::size_t>(max_line_bytes, 1)),
      pool_(BufferPool::create()) {}

void LineReader::reset(InputStream& stream) {
  stream_ = &stream;
  begin_ = scanned_ = end_ = 0;
  line_number_ = 0;
  at_end_ = finished_ = false;
  // A buffer sized for this stream: a small file need not cost a whole chunk. A buffer
  // still holding the last stream's lines (see chunk()) is never read into again.
  const std::uint64_t hint = stream.size_hint();
  const std::size_t wanted = std::max<std::size_t>(
      4096, hint == 0 ? chunk_bytes_
                      : static_cast<std::size_t>(std::min<std::uint64_t>(hint + 1, chunk_bytes_)));
  if (buffer_.use_count() > 1 || capacity_ < wanted) replace_buffer(wanted);
}

// Continue in a new buffer of `capacity` bytes, starting with the unconsumed bytes. The
// old buffer is released; whoever still holds a copy of it keeps it whole.
void LineReader::replace_buffer(std::size_t capacity) {
  std::shared_ptr<char[]> fresh = pool_->acquire(capacity + kLinePadding);
  const std::size_t live = end_ - begin_;
  if (live > 0) std::memcpy(fresh.get(), buffer_.get() + begin_, live);
  // The padding is never part of a line, but simdjson may read it: keep it defined.
  std::memset(fresh.get() + capacity, ' ', kLinePadding);
  buffer_ = std::move(fresh);
  capacity_ = capacity;
  end_ = live;
  begin_ = 0;
}

// Read more after the buffered bytes; false at the end. Only when the buffer is full are
// the unconsumed bytes moved to the front: in place when nobody else holds the buffer,
// else into a new one, so that the lines others hold never change.
bool LineReader::fill() {
  if (at_end_) return false;
  if (end_ == capacity_) {
    // A stream that outgrows a buffer sized from its hint (a compressed file, whose hint
    // is the compressed size) goes on in whole chunks.
    std::size_t capacity = std::max(capacity_, chunk_bytes_);
    if (begin_ == 0) {
      // A line fills the buffer: grow up to the limit (+2 for "\r\n"), in chunk steps.
      const std::size_t limit = max_line_bytes_ + 2;
      if (capacity_ >= limit) return true;  // the caller turns this into skip_long_line
      capacity = std::min(limit, std::max(capacity_ * 2, chunk_bytes_));
    }
    if (capacity != capacity_ || buffer_.use_count() > 1) {
      replace_buffer(capacity);
    } else {
      const std::size_t live = end_ - begin_;
      std::memmove(buffer_.get(), buffer_.get() + begin_, live);
      begin_ = 0;
      end_ = live;
    }
  }
  // At most kReadBytes at a time, however large the buffer: the lines are split and
  // parsed while the bytes the kernel just copied are still in the L2 cache. (Reading
  // whole 16 MiB chunks cost 8% of a pass-through in cache misses.)
  const std::size_t got =
      stream_->read(buffer_.get() + end_, std::min(capacity_ - end_, kReadBytes));
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
    if (buffer_.use_count() > 1) replace_buffer(capacity_);  // others' lines stay whole
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
