#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string_view>

namespace curate::tools {

/// How an output file is compressed.
enum class Compression { kNone, kGzip, kZstd };

/// Return the file name suffix of `compression`: "", ".gz" or ".zst".
std::string_view compression_suffix(Compression compression);

/// Write one output file, compressed or not, under a temporary name ("<path>.tmp")
/// that is renamed to `path` by close(), so a file that exists is whole.
///
/// gzip (zlib level 1) writes a header with mtime 0 and OS "unknown", and zstd
/// (level 3, one thread) writes no timestamps, so the bytes depend only on the input
/// and the library version. Single-threaded use; throws std::runtime_error naming the
/// path on any I/O or codec error.
class OutputFile {
 public:
  /// Create the temporary file; its parent directory must exist.
  OutputFile(std::filesystem::path path, Compression compression);
  /// Remove the temporary file if close() was never reached (an error unwound).
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  /// Append `bytes` (uncompressed).
  void write(std::string_view bytes);

  /// Finish the stream, close the file and rename it into place. Call once.
  void close();

  /// Return the bytes handed to write() so far.
  std::uint64_t bytes_in() const { return bytes_in_; }
  /// Return the bytes written to disk so far (after compression).
  std::uint64_t bytes_out() const { return bytes_out_; }

 private:
  struct Codec;  // zlib or zstd state, kept out of this header

  void put(const void* data, std::size_t size);

  std::filesystem::path path_;
  std::filesystem::path temporary_;
  Compression compression_;
  std::FILE* file_ = nullptr;
  std::unique_ptr<Codec> codec_;
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
};

}  // namespace curate::tools
