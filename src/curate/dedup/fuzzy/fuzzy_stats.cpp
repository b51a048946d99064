#include "curate/dedup/fuzzy/fuzzy_stats.hpp"

namespace curate::dedup {

void FuzzyStats::note_component(uint64_t size) {
  uint64_t seen = largest_component.load(std::memory_order_relaxed);
  while (seen < size && !largest_component.compare_exchange_weak(seen, size)) {
  }
}

nlohmann::json FuzzyStats::to_json() const {
  const uint64_t candidates = candidate_documents.load();
  return {{"documents", documents.load()},
          {"shingles", shingles.load()},
          {"duplicate_buckets", duplicate_buckets.load()},
          {"candidate_documents", candidates},
          {"candidate_pairs", candidate_pairs.load()},
          {"verified_pairs", verified_pairs.load()},
          {"components", components.load()},
          {"largest_component", largest_component.load()},
          {"documents_removed", documents_removed.load()},
          {"verification_bytes", verification_bytes.load()},
          {"verification_bytes_per_candidate",
           candidates == 0 ? 0.0 : static_cast<double>(verification_bytes.load()) / candidates}};
}

}  // namespace curate::dedup
