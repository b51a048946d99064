#include "curate/dedup/fuzzy/lsh_bucket_stage.hpp"

#include "curate/core/document_batch.hpp"
#include "curate/core/row_block.hpp"
#include "curate/dedup/fuzzy/fuzzy_columns.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

namespace curate::dedup {

LshBucketStage::LshBucketStage(FuzzyOptions options, FuzzyStatsPtr stats, std::string name)
    : CloneableStage(std::move(name)), options_(options.resolved()), stats_(std::move(stats)) {}

int LshBucketStage::num_rounds() const {
  const int bands = options_.bands().num_bands;
  return (bands + options_.bands_per_iteration - 1) / options_.bands_per_iteration;
}

StageIO LshBucketStage::inputs() const {
  return {{std::string(kDedupIdColumn), std::string(kBucketsColumn)}};
}

StageIO LshBucketStage::outputs() const {
  return {{std::string(kBucketColumn), std::string(kDedupIdColumn)}};
}

StageSpec LshBucketStage::ray_stage_spec() const {
  StageSpec spec = ShuffleStage::ray_stage_spec();
  spec.set(StageSpecKey::IsLshStage, true);
  return spec;
}

void LshBucketStage::route(const TaskPtr& input, int round, ShuffleRouter& router) {
  const auto& batch = dynamic_cast<const DocumentBatch&>(*input);
  const auto ids = batch.int64s(kDedupIdColumn);
  const auto buckets = batch.strings(kBucketsColumn);
  const int first = round * options_.bands_per_iteration;
  const int last = std::min(options_.bands().num_bands, first + options_.bands_per_iteration);
  const auto partitions = static_cast<uint64_t>(options_.num_partitions);
  char row[2 * sizeof(uint64_t)];
  for (std::size_t doc = 0; doc < batch.num_rows(); ++doc) {
    const char* bands = buckets[doc].data();
    std::memcpy(row + sizeof(uint64_t), &ids[doc], sizeof(uint64_t));
    for (int band = first; band < last; ++band) {
      uint64_t bucket;
      std::memcpy(&bucket, bands + band * sizeof(uint64_t), sizeof(bucket));
      std::memcpy(row, &bucket, sizeof(bucket));
      // The high bits pick the partition: the low ones stay spread within it.
      router.emit(static_cast<int>((bucket >> 32) % partitions),
                  std::string_view(row, sizeof(row)));
    }
  }
}

std::vector<TaskPtr> LshBucketStage::reduce(int, int, std::vector<RowBlock> blocks) {
  std::size_t total = 0;
  for (const auto& block : blocks) total += block.size();
  std::vector<std::pair<uint64_t, int64_t>> rows;
  rows.reserve(total);
  for (const auto& block : blocks) {
    for (std::string_view row : block) {
      std::pair<uint64_t, int64_t> entry;
      std::memcpy(&entry.first, row.data(), sizeof(uint64_t));
      std::memcpy(&entry.second, row.data() + sizeof(uint64_t), sizeof(int64_t));
      rows.push_back(entry);
    }
  }
  blocks.clear();
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());

  std::vector<int64_t> out_buckets;
  std::vector<int64_t> out_docs;
  uint64_t duplicate_buckets = 0;
  for (std::size_t begin = 0; begin < rows.size();) {
    std::size_t end = begin + 1;
    while (end < rows.size() && rows[end].first == rows[begin].first) ++end;
    if (end - begin >= 2) {
      ++duplicate_buckets;
      for (std::size_t i = begin; i < end; ++i) {
        out_buckets.push_back(static_cast<int64_t>(rows[i].first));
        out_docs.push_back(rows[i].second);
      }
    }
    begin = end;
  }
  stats_->duplicate_buckets.fetch_add(duplicate_buckets, std::memory_order_relaxed);
  if (out_docs.empty()) return {};
  auto out = std::make_shared<DocumentBatch>();
  out->set_column(std::string(kBucketColumn), std::move(out_buckets));
  out->set_column(std::string(kDedupIdColumn), std::move(out_docs));
  return {out};
}

StageRecipe LshBucketStage::recipe() const {
  return {std::string(kLshBucketStageType), fuzzy_options_to_json(options_), {}};
}

nlohmann::json LshBucketStage::counters() const { return stats_->counters(); }

void LshBucketStage::merge_counters(const nlohmann::json& counters) { stats_->merge(counters); }

}  // namespace curate::dedup
