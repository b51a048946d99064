#pragma once

#include "curate/io/compression.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace curate::io {

/// What a decompressing stream found wrong with its input. Plain files are never damaged.
enum class StreamDamage {
  None,       ///< the stream ended where its format says it ends
  Truncated,  ///< the compressed data stops in the middle of a frame or member
  Corrupt     ///< the compressed data is not valid gzip/zstd from some point on
};

/// A sequential source of bytes: a file, a memory buffer, or a decompressor over one of
/// those. Damage in compressed data is not an exception: the stream returns every byte
/// it could decode, then ends and tells what happened through `damage()`, so a reader
/// keeps the records before the damage. One thread at a time.
class InputStream {
 public:
  virtual ~InputStream() = default;

  /// Copy up to `size` bytes into `out` and return how many; 0 means the end (or the
  /// point of damage) was reached. Throws std::runtime_error naming the file on an
  /// operating-system read error.
  virtual std::size_t read(char* out, std::size_t size) = 0;

  /// Return what went wrong, once `read` has returned 0; StreamDamage::None before.
  virtual StreamDamage damage() const { return StreamDamage::None; }

  /// Return a short explanation of the damage from the codec ("unexpected end of
  /// file", a zstd error name), empty when undamaged.
  virtual std::string damage_detail() const { return {}; }

  /// Return a guess of the bytes `read` will yield in total (the size of a plain file,
  /// a multiple of a compressed one), used to size buffers; 0 when unknown.
  virtual std::uint64_t size_hint() const { return 0; }
};

/// Open a plain file for reading. Throws std::runtime_error naming the path when it
/// cannot be opened.
std::unique_ptr<InputStream> open_file_stream(const std::string& path);

/// Return a stream over `bytes`, which must outlive it (tests and the fuzz target).
std::unique_ptr<InputStream> open_memory_stream(std::string_view bytes);

/// Wrap `compressed` in a decompressor: gzip (also zlib and concatenated members, as
/// `gzip -d` accepts) or zstd (concatenated frames). Compression::None returns it as is.
std::unique_ptr<InputStream> open_decompressing_stream(std::unique_ptr<InputStream> compressed,
                                                       Compression compression);

/// Open `path` and decompress it as its extension says (.gz, .zst, otherwise plain).
std::unique_ptr<InputStream> open_input(const std::string& path);

}  // namespace curate::io
