#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace curate::io {

/// How a JSONL file is compressed on disk.
enum class Compression { None, Gzip, Zstd };

/// Return the compression implied by a file name: ".gz" -> Gzip, ".zst" -> Zstd,
/// anything else -> None. Pure; callable from any thread.
Compression compression_from_path(std::string_view path);

/// Return the compression named in a configuration ("none", "gzip", "zstd"; also "gz",
/// "zst", "" for none). Throws std::invalid_argument listing the valid names otherwise.
Compression compression_from_name(std::string_view name);

/// Return the file name suffix of `compression`: "", ".gz" or ".zst".
std::string_view compression_suffix(Compression compression);

/// Return "none", "gzip" or "zstd".
std::string_view to_string(Compression compression);

/// Return a byte count written in a configuration: a plain number of bytes, or a number
/// with a unit, "64MB", "1.5 GiB", "512k" (KB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB
/// and the one-letter k/m/g/t forms powers of 1024, as Dask's parse_bytes). Throws
/// std::invalid_argument quoting the text when it is not such a size. Pure.
std::uint64_t parse_byte_size(std::string_view text);

}  // namespace curate::io
