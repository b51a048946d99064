#pragma once

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <memory>

namespace curate::dedup {

/// The counters of one fuzzy deduplication run, shared (by pointer) by every instance
/// the executor clones from the workflow's stages, and updated concurrently.
struct FuzzyStats {
  std::atomic<uint64_t> documents{0};          ///< documents sketched
  std::atomic<uint64_t> shingles{0};           ///< shingles hashed while sketching
  std::atomic<uint64_t> duplicate_buckets{0};  ///< LSH buckets holding >= 2 documents
  std::atomic<uint64_t> candidate_documents{0};
  std::atomic<uint64_t> candidate_pairs{0};  ///< pairs compared by exact Jaccard
  std::atomic<uint64_t> verified_pairs{0};   ///< of those, at or above the threshold
  std::atomic<uint64_t> components{0};       ///< connected components of >= 2 documents
  std::atomic<uint64_t> largest_component{0};
  std::atomic<uint64_t> documents_removed{0};
  std::atomic<uint64_t> verification_bytes{0};  ///< shingle-set bytes held for verification

  /// Raise `largest_component` to at least `size`; safe from any thread.
  void note_component(uint64_t size);
  /// Return the counters as a JSON object (for stats.json and the CLI).
  nlohmann::json to_json() const;
  /// Return the raw counters only (no derived ratio): what a stage's `counters()` sends
  /// back from a worker. Thread-safe.
  nlohmann::json counters() const;
  /// Add `counters` (from `counters()` of another FuzzyStats) into these: sums, and the
  /// maximum for `largest_component`. Missing keys count as 0; throws
  /// std::invalid_argument for an unknown key or a value that is not a count.
  /// Thread-safe.
  void merge(const nlohmann::json& counters);
};

using FuzzyStatsPtr = std::shared_ptr<FuzzyStats>;

}  // namespace curate::dedup
