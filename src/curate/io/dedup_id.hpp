#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace curate::io {

/// The int64 column JsonlReaderStage adds with `add_dedup_id`: each document's position
/// in the input, the id deduplication works with. Internal (the `_curate_` prefix): the
/// writer leaves it out unless asked to write internal columns.
inline constexpr std::string_view kDedupIdColumn = "_curate_dedup_id";

/// Layout of a dedup id, bit 63 first: 0 (the id is never negative), 23 bits of file
/// ordinal (the file's index in the whole sorted input listing, from 0), 40 bits of line
/// number (1-based physical line in the file, blank and bad lines counted). It depends on
/// the listing alone, so it is the same for every worker count, batch size, file grouping
/// and node count, and ids sort in input order. Limits: 8,388,608 files of up to
/// 1,099,511,627,775 lines each.
inline constexpr int kDedupIdLineBits = 40;
inline constexpr int kDedupIdFileBits = 23;
inline constexpr std::uint64_t kDedupIdMaxLine = (std::uint64_t{1} << kDedupIdLineBits) - 1;
inline constexpr std::uint64_t kDedupIdMaxFiles = std::uint64_t{1} << kDedupIdFileBits;

/// Return the dedup id of line `line` (1-based) of file `file_ordinal`. Throws
/// std::out_of_range when either does not fit the layout above. Pure; any thread.
inline std::int64_t make_dedup_id(std::uint64_t file_ordinal, std::uint64_t line) {
  if (file_ordinal >= kDedupIdMaxFiles || line > kDedupIdMaxLine) {
    throw std::out_of_range("dedup id of file " + std::to_string(file_ordinal) + ", line " +
                            std::to_string(line) + " does not fit: at most " +
                            std::to_string(kDedupIdMaxFiles) + " input files of at most " +
                            std::to_string(kDedupIdMaxLine) + " lines; split the run's input");
  }
  return static_cast<std::int64_t>((file_ordinal << kDedupIdLineBits) | line);
}

/// Return the file ordinal of dedup id `id`.
constexpr std::uint64_t dedup_id_file(std::int64_t id) {
  return static_cast<std::uint64_t>(id) >> kDedupIdLineBits;
}

/// Return the line number of dedup id `id`.
constexpr std::uint64_t dedup_id_line(std::int64_t id) {
  return static_cast<std::uint64_t>(id) & kDedupIdMaxLine;
}

}  // namespace curate::io
