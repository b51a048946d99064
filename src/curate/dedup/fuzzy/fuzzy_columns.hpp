#pragma once

#include "curate/io/dedup_id.hpp"

#include <string_view>

namespace curate::dedup {

/// The columns the fuzzy stages pass between them (internal: a leading underscore, so a
/// JSONL writer never mistakes them for record fields).

/// Each document's 64-bit dedup id (file ordinal and line), added by the reader.
using io::kDedupIdColumn;
/// MinHashStage's output: per document, num_bands little-endian uint64 bucket ids.
inline constexpr std::string_view kBucketsColumn = "_lsh_buckets";
/// LshBucketStage's output: one row per (bucket, document) of a multi-document bucket.
inline constexpr std::string_view kBucketColumn = "_bucket";
/// ConnectedComponentsStage's output: the component (its smallest dedup id) of each row.
inline constexpr std::string_view kComponentColumn = "_component";

}  // namespace curate::dedup
