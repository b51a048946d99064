#include "curate/dedup/fuzzy/fuzzy_stats.hpp"

#include <stdexcept>
#include <string>

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

nlohmann::json FuzzyStats::counters() const {
  return {{"documents", documents.load()},
          {"shingles", shingles.load()},
          {"duplicate_buckets", duplicate_buckets.load()},
          {"candidate_documents", candidate_documents.load()},
          {"candidate_pairs", candidate_pairs.load()},
          {"verified_pairs", verified_pairs.load()},
          {"components", components.load()},
          {"largest_component", largest_component.load()},
          {"documents_removed", documents_removed.load()},
          {"verification_bytes", verification_bytes.load()}};
}

void FuzzyStats::merge(const nlohmann::json& counters) {
  if (counters.is_null()) return;
  if (!counters.is_object()) {
    throw std::invalid_argument("fuzzy dedup counters must be a JSON object, got " +
                                counters.dump());
  }
  std::atomic<uint64_t>* const sums[] = {
      &documents,      &shingles,   &duplicate_buckets, &candidate_documents, &candidate_pairs,
      &verified_pairs, &components, &documents_removed, &verification_bytes};
  static constexpr const char* kSumNames[] = {
      "documents",      "shingles",   "duplicate_buckets", "candidate_documents", "candidate_pairs",
      "verified_pairs", "components", "documents_removed", "verification_bytes"};
  for (const auto& [key, value] : counters.items()) {
    if (!value.is_number_unsigned()) {
      throw std::invalid_argument("fuzzy dedup counter '" + key + "' must be a count, got " +
                                  value.dump());
    }
    const auto count = value.get<uint64_t>();
    if (key == "largest_component") {
      note_component(count);
      continue;
    }
    bool known = false;
    for (std::size_t i = 0; i < std::size(kSumNames); ++i) {
      if (key == kSumNames[i]) {
        sums[i]->fetch_add(count, std::memory_order_relaxed);
        known = true;
      }
    }
    if (!known) throw std::invalid_argument("unknown fuzzy dedup counter '" + key + "'");
  }
}

}  // namespace curate::dedup
