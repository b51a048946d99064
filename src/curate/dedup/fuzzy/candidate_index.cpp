#include "curate/dedup/fuzzy/candidate_index.hpp"

#include "curate/core/document_batch.hpp"
#include "curate/dedup/fuzzy/fuzzy_columns.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace curate::dedup {

std::shared_ptr<const CandidateIndex> CandidateIndex::build(const std::vector<TaskPtr>& labelled) {
  struct Row {
    int64_t doc;
    uint64_t bucket;
    int64_t component;
  };
  std::size_t total = 0;
  for (const auto& task : labelled) total += task->num_items();
  std::vector<Row> rows;
  rows.reserve(total);
  for (const auto& task : labelled) {
    const auto& batch = dynamic_cast<const DocumentBatch&>(*task);
    const auto components = batch.int64s(kComponentColumn);
    const auto docs = batch.int64s(kDedupIdColumn);
    const auto buckets = batch.int64s(kBucketColumn);
    for (std::size_t i = 0; i < docs.size(); ++i) {
      rows.push_back({docs[i], static_cast<uint64_t>(buckets[i]), components[i]});
    }
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.doc, a.bucket) < std::tie(b.doc, b.bucket);
  });

  auto index = std::make_shared<CandidateIndex>();
  index->buckets_.reserve(rows.size());
  index->offsets_.push_back(0);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i == 0 || rows[i].doc != rows[i - 1].doc) {
      if (i != 0) index->offsets_.push_back(index->buckets_.size());
      index->docs_.push_back(rows[i].doc);
      index->components_.push_back(rows[i].component);
    } else if (rows[i].component != index->components_.back()) {
      throw std::logic_error("candidate index: document " + std::to_string(rows[i].doc) +
                             " has two components");
    }
    if (i == 0 || rows[i].doc != rows[i - 1].doc || rows[i].bucket != rows[i - 1].bucket) {
      index->buckets_.push_back(rows[i].bucket);
    }
  }
  if (!rows.empty()) index->offsets_.push_back(index->buckets_.size());
  return index;
}

std::optional<std::size_t> CandidateIndex::find(int64_t doc) const {
  const auto it = std::lower_bound(docs_.begin(), docs_.end(), doc);
  if (it == docs_.end() || *it != doc) return std::nullopt;
  return static_cast<std::size_t>(it - docs_.begin());
}

std::size_t CandidateIndex::memory_bytes() const {
  return (docs_.size() + components_.size()) * sizeof(int64_t) +
         (offsets_.size() + buckets_.size()) * sizeof(uint64_t);
}

}  // namespace curate::dedup
