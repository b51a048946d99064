#include "curate/dedup/fuzzy/minhash_stage.hpp"

#include "curate/dedup/fuzzy/band_buckets.hpp"
#include "curate/dedup/fuzzy/fuzzy_columns.hpp"

#include <cstring>

namespace curate::dedup {

MinHashStage::MinHashStage(FuzzyOptions options, FuzzyStatsPtr stats, std::string name)
    : CloneableStage(std::move(name)),
      options_(options.resolved()),
      stats_(std::move(stats)),
      shingler_(options_.shingles),
      hasher_(options_.sketch, options_.num_hashes(), options_.seed, options_.use_64_bit_hash),
      signature_(options_.num_hashes()),
      buckets_(options_.bands().num_bands) {}

MinHashStage::MinHashStage(const MinHashStage& other)
    : CloneableStage(other),
      options_(other.options_),
      stats_(other.stats_),
      shingler_(options_.shingles),
      hasher_(other.hasher_),
      signature_(other.signature_.size()),
      buckets_(other.buckets_.size()) {}

StageIO MinHashStage::inputs() const {
  return {{options_.text_field, std::string(kDedupIdColumn)}};
}

StageIO MinHashStage::outputs() const {
  return {{std::string(kDedupIdColumn), std::string(kBucketsColumn)}};
}

std::vector<TaskPtr> MinHashStage::process(TaskPtr task) {
  const auto& batch = dynamic_cast<const DocumentBatch&>(*task);
  const auto text = batch.strings(options_.text_field);
  const auto ids = batch.int64s(kDedupIdColumn);
  const std::size_t rows = batch.num_rows();
  const std::size_t row_bytes = buckets_.size() * sizeof(uint64_t);

  // One buffer for all rows' bucket ids; the column is built from it with fixed offsets.
  std::string bytes(rows * row_bytes, '\0');
  uint64_t shingles = 0;
  for (std::size_t row = 0; row < rows; ++row) {
    shingler_.hashes(text[row], shingle_hashes_);
    shingles += shingle_hashes_.size();
    hasher_.sketch(shingle_hashes_, signature_);
    band_buckets(signature_, options_.bands(), buckets_);
    std::memcpy(bytes.data() + row * row_bytes, buckets_.data(), row_bytes);
  }
  std::vector<uint64_t> offsets(rows + 1);
  for (std::size_t row = 0; row <= rows; ++row) offsets[row] = row * row_bytes;

  auto out = std::make_shared<DocumentBatch>(task->task_id(), task->dataset_name());
  out->inherit_from(*task);
  out->set_column(std::string(kDedupIdColumn), std::vector<int64_t>(ids.begin(), ids.end()));
  out->set_column(std::string(kBucketsColumn),
                  StringColumn::from_parts(std::move(bytes), std::move(offsets)));
  stats_->documents.fetch_add(rows, std::memory_order_relaxed);
  stats_->shingles.fetch_add(shingles, std::memory_order_relaxed);
  return {out};
}

StageRecipe MinHashStage::recipe() const {
  return {std::string(kMinHashStageType), fuzzy_options_to_json(options_), {}};
}

nlohmann::json MinHashStage::counters() const { return stats_->counters(); }

void MinHashStage::merge_counters(const nlohmann::json& counters) { stats_->merge(counters); }

}  // namespace curate::dedup
