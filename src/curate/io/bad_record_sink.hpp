#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace curate::io {

/// Why a JSONL line was not turned into a document. The strings (`to_string`) are the
/// `reason` values of errors.jsonl and the keys of `metadata()["bad_records_by_reason"]`.
enum class BadRecordReason {
  NotAJsonObject,             ///< "not_a_json_object": not JSON, or JSON but not an object
  MissingTextField,           ///< "missing_text_field": no text field, or it is not a string
  InvalidUtf8,                ///< "invalid_utf8"
  LineTooLong,                ///< "line_too_long": longer than `max_line_bytes`
  TruncatedCompressedStream,  ///< "truncated_compressed_stream": .gz/.zst ends mid-stream
  CorruptCompressedStream     ///< "corrupt_compressed_stream": .gz/.zst data is invalid
};

/// The number of BadRecordReason values.
inline constexpr std::size_t kBadRecordReasonCount = 6;

/// Return the reason's snake_case name ("not_a_json_object", ...).
std::string_view to_string(BadRecordReason reason);

/// Collect bad input records: count them by reason and append one JSON line per record,
/// {"file": ..., "line": N, "reason": ...}, to `<log_dir>/errors.jsonl`. Shared by all
/// worker instances of a reader in a process (they hold it by shared_ptr) and safe to
/// call concurrently. Each record is one append-mode write(2), so several processes
/// (MPI ranks) may share one errors.jsonl. The file is created on the first bad record
/// and appended to, never truncated: the caller that owns the log folder clears it at
/// the start of a run. The first few records are also logged as warnings.
class BadRecordSink {
 public:
  /// Create a sink writing to `<log_dir>/errors.jsonl`; an empty `log_dir` only counts
  /// and logs. Touches no file until the first report.
  explicit BadRecordSink(std::filesystem::path log_dir = {});
  ~BadRecordSink();
  BadRecordSink(const BadRecordSink&) = delete;
  BadRecordSink& operator=(const BadRecordSink&) = delete;

  /// Record one bad line of `file` (1-based `line`). Thread-safe. Throws
  /// std::runtime_error naming errors.jsonl when it cannot be written.
  void report(std::string_view file, std::uint64_t line, BadRecordReason reason);

  /// Return the number of records reported for `reason` so far. Thread-safe.
  std::uint64_t count(BadRecordReason reason) const;
  /// Return all counts, by reason name, omitting zeros. Thread-safe.
  std::map<std::string, std::uint64_t> counts() const;
  /// Return the number of records reported so far. Thread-safe.
  std::uint64_t total() const;
  /// Add counts by reason name (what `counts()` of a sink in another process returned:
  /// a worker that wrote its own errors.jsonl lines), without writing or logging
  /// anything. Throws std::invalid_argument for an unknown reason name. Thread-safe.
  void add_counts(const std::map<std::string, std::uint64_t>& counts);

  /// Return the errors.jsonl path (empty when there is no log folder).
  const std::filesystem::path& errors_path() const { return errors_path_; }

 private:
  std::filesystem::path errors_path_;
  std::array<std::atomic<std::uint64_t>, kBadRecordReasonCount> counts_{};
  std::mutex mutex_;  // guards fd_ and the warning budget
  int fd_ = -1;
  int warnings_left_ = 10;
};

}  // namespace curate::io
