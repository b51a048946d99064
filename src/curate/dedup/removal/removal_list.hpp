#pragma once

#include "curate/dedup/removal/id_set.hpp"

#include <string>
#include <vector>

namespace curate::dedup {

/// Read removal-list files (JSONL, plain, .gz or .zst; one `{"id": ...}` object per
/// line, other members such as `kept_id` ignored, blank lines skipped) into `ids`. An id
/// is a JSON string (its unescaped value) or an integer (its decimal text, as the JSONL
/// reader gives numeric ids). Throws std::runtime_error "<file>:<line>: ..." naming what
/// is wrong at the first line that is not such an object, and when a file cannot be
/// read. Returns the number of lines read that held an id. One thread.
std::uint64_t load_removal_list(const std::vector<std::string>& files, IdSet& ids);

}  // namespace curate::dedup
