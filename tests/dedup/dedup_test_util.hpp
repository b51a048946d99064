#pragma once

// Helpers shared by the dedup tests: a temporary folder, files, generated corpora with
// known duplicates, and the removal list a plain hash map computes for them.

#include "support/temp_dir.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace curate::dedup::testing {

using curate::testing::read_file;
using curate::testing::TempDir;
using curate::testing::write_file;

/// One generated document, in input order (files sorted, then lines).
struct Document {
  std::string id;
  std::string text;
  std::string line;  ///< the JSONL record as written
};

/// Write `files` JSONL files (part_000.jsonl ...) under `folder` with `documents`
/// documents in all, whose texts are drawn (seeded) from `distinct` texts, some empty;
/// `distinct` == 0 gives every document its own text. Blank lines are interspersed.
/// Return the documents in input order.
std::vector<Document> write_corpus(const std::string& folder, int files, int documents,
                                   int distinct, unsigned seed);

/// Return (removed id, kept id) for every document whose text an earlier document had,
/// in input order: what exact deduplication must list, computed with a std::unordered_map.
std::vector<std::pair<std::string, std::string>> expected_removals(
    const std::vector<Document>& documents);

/// Return every file of `folder` (sorted by name) with its content, for byte comparisons.
std::map<std::string, std::string> folder_contents(const std::string& folder);

}  // namespace curate::dedup::testing
