#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

namespace curate::dedup {

/// One document of a component, as the clustering sees it.
struct ClusterDocument {
  int64_t doc = 0;                     ///< dedup id: the input order
  std::span<const uint64_t> shingles;  ///< sorted unique shingle hashes
  std::span<const uint64_t> buckets;   ///< its multi-document LSH buckets
};

/// One removal: indices into the component's documents, and their exact Jaccard.
struct ClusterRemoval {
  std::size_t removed = 0;
  std::size_t kept = 0;
  double similarity = 0.0;
};

/// What `cluster_component` counted.
struct ClusterCounts {
  uint64_t pairs_compared = 0;
  uint64_t pairs_verified = 0;  ///< compared pairs with Jaccard >= threshold
};

/// Decide which documents of one connected component to remove, without chaining.
/// Documents are taken in input order (sorted by `doc`); a document is removed when an
/// earlier *kept* document sharing one of its buckets has exact Jaccard >= threshold,
/// and that kept document is its evidence; otherwise it is kept. A removed document
/// stands for its evidence in its own buckets, so documents that meet it there are
/// compared with the kept one. So every removed document has a near duplicate that
/// stays, and no two kept documents that share a bucket, directly or through a removed
/// document, are near duplicates. Each document is compared only with kept documents of
/// its buckets, each pair at most once: the cost grows with the candidate pairs to kept
/// documents, never quadratically in the component. Reuses `scratch` between calls;
/// not thread-safe per scratch.
class ComponentClusterer {
 public:
  /// Append the removals of `docs` (sorted by doc) to `removals`.
  void cluster(std::span<const ClusterDocument> docs, double threshold,
               std::vector<ClusterRemoval>& removals, ClusterCounts& counts);

 private:
  std::unordered_map<uint64_t, uint32_t> bucket_slot_;
  std::vector<std::vector<uint32_t>> kept_in_bucket_;  // by slot, document indices
  std::vector<uint32_t> compared_with_;                // by document: last doc compared + 1
};

}  // namespace curate::dedup
