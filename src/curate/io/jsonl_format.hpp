#pragma once

#include <cstdint>
#include <string_view>

namespace curate::io {

/// The internal columns and metadata keys shared by JsonlReaderStage (which writes them)
/// and JsonlWriterStage (which reads them). Stages in between may filter rows, replace
/// the text column and add columns; they should leave these alone.

/// The whole original line of each record, followed by "\n" (a "\r" before it is
/// dropped): the writer emits it unchanged when nothing about the record changed, and
/// since consecutive rows are contiguous it writes runs of them with one call.
inline constexpr std::string_view kRawColumn = "_raw";
/// The XXH3 hash of the text as read (int64 bits): the writer re-hashes the current
/// text to tell whether a stage changed it, without keeping a second copy of it.
inline constexpr std::string_view kTextHashColumn = "_text_hash";

/// Task metadata: the input files whose records a batch holds (array of strings).
inline constexpr std::string_view kSourceFilesKey = "source_files";
/// Task metadata: bad records met while reading the batch (integer).
inline constexpr std::string_view kBadRecordsKey = "bad_records";
/// Task metadata: the same, by reason name (object of integers).
inline constexpr std::string_view kBadRecordsByReasonKey = "bad_records_by_reason";
/// Task metadata: the columns that are copies of record fields (text, id, `fields`), so
/// the writer knows they are already in `_raw` and need not be appended.
inline constexpr std::string_view kRecordColumnsKey = "record_columns";

/// Task metadata: the lineage (DocumentBatch::column_lineage) of the text column as the
/// reader set it. While the text column still has it, no row's text changed and the
/// writer skips re-hashing (a stage that sets a new text column gives it a new lineage).
inline constexpr std::string_view kTextLineageKey = "text_lineage";

/// Return the hash stored in `_text_hash` for `text`. Pure; any thread.
std::int64_t text_hash(std::string_view text);

}  // namespace curate::io
