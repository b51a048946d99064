#include "curate/dedup/fuzzy/duplicate_clustering.hpp"

#include "curate/dedup/fuzzy/jaccard.hpp"

namespace curate::dedup {

void ComponentClusterer::cluster(std::span<const ClusterDocument> docs, double threshold,
                                 std::vector<ClusterRemoval>& removals, ClusterCounts& counts) {
  bucket_slot_.clear();
  std::size_t used_slots = 0;
  compared_with_.assign(docs.size(), 0);
  for (std::size_t d = 0; d < docs.size(); ++d) {
    bool removed = false;
    for (uint64_t bucket : docs[d].buckets) {
      const auto it = bucket_slot_.find(bucket);
      if (it == bucket_slot_.end()) continue;
      for (uint32_t k : kept_in_bucket_[it->second]) {
        // A pair shares many buckets when it is close: compare it once.
        if (compared_with_[k] == d + 1) continue;
        compared_with_[k] = static_cast<uint32_t>(d + 1);
        ++counts.pairs_compared;
        const double similarity = jaccard(docs[d].shingles, docs[k].shingles);
        if (similarity >= threshold) {
          ++counts.pairs_verified;
          removals.push_back({d, k, similarity});
          removed = true;
          break;
        }
      }
      if (removed) break;
    }
    // A removed document stands for its kept duplicate in its buckets, so a later
    // document that meets it there is compared with the kept one instead.
    const uint32_t member =
        removed ? static_cast<uint32_t>(removals.back().kept) : static_cast<uint32_t>(d);
    for (uint64_t bucket : docs[d].buckets) {
      auto [it, inserted] = bucket_slot_.try_emplace(bucket, static_cast<uint32_t>(used_slots));
      if (inserted) {
        if (used_slots == kept_in_bucket_.size()) kept_in_bucket_.emplace_back();
        kept_in_bucket_[used_slots].clear();
        ++used_slots;
      }
      auto& kept = kept_in_bucket_[it->second];
      if (kept.empty() || kept.back() != member) kept.push_back(member);
    }
  }
}

}  // namespace curate::dedup
