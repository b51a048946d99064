#pragma once

// Helpers shared by the dedup tests: a temporary folder, files, generated corpora with
// known duplicates, and the removal list a plain hash map computes for them.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace curate::dedup::testing {

/// A fresh folder under the system temp folder, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

void write_file(const std::string& path, std::string_view bytes);
std::string read_file(const std::string& path);

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
