#pragma once

#include "curate/io/compression.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace curate::io {

/// Write one output file, plain or compressed, under a temporary name ("<path>.tmp")
/// that `close` renames to `path`, so a file that exists is whole. gzip headers carry
/// no time stamp and zstd frames none either, so the bytes depend only on the input.
/// Buffers internally; large writes go straight through. One thread at a time; throws
/// std::runtime_error naming the path on any I/O or codec error.
class OutputFile {
 public:
  /// Create the temporary file; the parent folder must exist. `level` 0 means the
  /// codec's default (zlib 6, zstd 3).
  OutputFile(std::filesystem::path path, Compression compression, int level = 0);
  /// Remove the temporary file when `close` was never reached (an error unwound).
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  /// Append `bytes` (uncompressed).
  void write(std::string_view bytes);

  /// Finish the stream, close the file and rename it into place. Call once.
  void close();

  /// Return the bytes handed to `write` so far.
  std::uint64_t bytes_in() const { return bytes_in_; }
  /// Return the bytes written to the file so far (after compression).
  std::uint64_t bytes_out() const { return bytes_out_; }
  /// Return the final path (the file is under "<path>.tmp" until `close`).
  const std::filesystem::path& path() const { return path_; }

 private:
  struct Codec;

  void flush_buffer();
  void encode(std::string_view bytes);
  void put(const void* data, std::size_t size);

  std::filesystem::path path_;
  std::filesystem::path temporary_;
  Compression compression_;
  int fd_ = -1;
  std::unique_ptr<Codec> codec_;
  std::string buffer_;  // uncompressed bytes not yet handed on
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
};

}  // namespace curate::io
