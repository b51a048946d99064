#pragma once

#include "curate/io/buffer_pool.hpp"
#include "curate/io/input_stream.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace curate::io {

/// What the line reader hands over for one physical line.
enum class LineStatus {
  Ok,       ///< `bytes` holds the line, without its "\n" or "\r\n"
  TooLong,  ///< the line exceeded the limit; its bytes were skipped and `bytes` is empty
  Damaged   ///< the stream was damaged here; what is left of the line was dropped
};

/// One physical line of a decompressed stream.
struct Line {
  std::string_view bytes;    ///< valid until the next call to `LineReader::next`
  std::uint64_t number = 0;  ///< 1-based physical line number in the decompressed stream
  LineStatus status = LineStatus::Ok;
};

/// Split a stream into lines, reading it in large chunks into a buffer. Every Ok line is
/// followed in memory by at least `kLinePadding` readable bytes, so simdjson can parse
/// it in place without a copy. Lines longer than `max_line_bytes` are skipped without
/// being buffered, so memory stays bounded by the chunk size and the limit. One thread
/// at a time; a reader instance keeps its buffer across streams.
///
/// The buffer is shared (`chunk()`): whoever keeps a copy of it keeps every line read
/// into it valid and unchanged, because while a copy is held the reader continues in a
/// new buffer instead of moving or overwriting bytes in this one. That is how a batch of
/// records owns its raw lines without copying them. Nobody holding a copy costs nothing:
/// the buffer is then reused. A released buffer goes back to the reader's BufferPool,
/// on whatever thread its last holder drops it, and serves a later new buffer.
class LineReader {
 public:
  /// Bytes readable after every line (simdjson's SIMDJSON_PADDING).
  static constexpr std::size_t kLinePadding = 64;

  /// Prepare a reader that reads `chunk_bytes` at a time (at least 4 KiB) and skips
  /// lines longer than `max_line_bytes` (at least 1). No stream is attached yet.
  LineReader(std::size_t chunk_bytes, std::size_t max_line_bytes);

  /// Start reading `stream` from its beginning (line 1); the stream must outlive the
  /// reads. Keeps the buffer allocated by earlier streams.
  void reset(InputStream& stream);

  /// Fill `line` with the next line and return true, or return false at the end. A
  /// damaged stream yields one final line with status Damaged, numbered as the first
  /// line that could not be read whole. A last line without "\n" is a line.
  bool next(Line& line);

  /// Return the buffer that holds the line `next` returned last (see the class comment).
  const std::shared_ptr<char[]>& chunk() const { return buffer_; }

  /// Return the current buffer capacity in bytes (tests check that it stays bounded).
  std::size_t buffer_capacity() const { return capacity_; }

 private:
  bool fill();
  void replace_buffer(std::size_t capacity);
  bool skip_long_line(Line& line);

  std::size_t chunk_bytes_;
  std::size_t max_line_bytes_;
  InputStream* stream_ = nullptr;
  std::shared_ptr<BufferPool> pool_;
  std::shared_ptr<char[]> buffer_;
  std::size_t capacity_ = 0;  // usable bytes, kLinePadding more are allocated
  std::size_t begin_ = 0;     // first unconsumed byte
  std::size_t scanned_ = 0;   // bytes from begin_ known to hold no '\n'
  std::size_t end_ = 0;       // end of valid data
  std::uint64_t line_number_ = 0;
  bool at_end_ = false;    // the stream returned 0
  bool finished_ = false;  // everything, the damage line included, was handed out
};

}  // namespace curate::io
