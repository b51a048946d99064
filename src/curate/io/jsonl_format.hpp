#pragma once

#include <string_view>

namespace curate::io {

/// The internal columns and metadata keys shared by JsonlReaderStage (which writes them)
/// and JsonlWriterStage (which reads them). Stages in between may filter rows, replace
/// the text column and add columns; they should leave these alone.

/// The whole original line of each record, followed by "\n" (a "\r" before it is
/// dropped): the writer emits it unchanged when nothing about the record changed, and
/// since consecutive rows are contiguous it writes runs of them with one call.
inline constexpr std::string_view kRawColumn = "_raw";
/// The text as read: a second name for the reader's text column, sharing its storage
/// (DocumentBatch::share_column), so it costs nothing while the text is unchanged. While
/// both columns have the same lineage no row's text changed; once a stage sets a new
/// text column, the writer compares each row with this one and patches those that
/// differ. (It replaced a hash of every text, which cost 7% of a pass-through.)
inline constexpr std::string_view kTextAsReadColumn = "_text_as_read";

/// Columns whose name starts with this are curate's own bookkeeping (the dedup id, ...),
/// not record fields: the writer leaves them out unless asked to write them.
inline constexpr std::string_view kInternalColumnPrefix = "_curate_";

/// Task metadata: the input files whose records a batch holds (array of strings).
inline constexpr std::string_view kSourceFilesKey = "source_files";
/// Task metadata: bad records met while reading the batch (integer).
inline constexpr std::string_view kBadRecordsKey = "bad_records";
/// Task metadata: the same, by reason name (object of integers).
inline constexpr std::string_view kBadRecordsByReasonKey = "bad_records_by_reason";
/// Task metadata: the columns that are copies of record fields (text, id, `fields`), so
/// the writer knows they are already in `_raw` and need not be appended.
inline constexpr std::string_view kRecordColumnsKey = "record_columns";

}  // namespace curate::io
