#include "curate/dedup/fuzzy/candidate_shingle_stage.hpp"

#include "curate/core/document_batch.hpp"
#include "curate/dedup/fuzzy/fuzzy_columns.hpp"

namespace curate::dedup {

CandidateShingleStage::CandidateShingleStage(FuzzyOptions options, CandidateIndexPtr index,
                                             FuzzyStatsPtr stats, std::string name)
    : CloneableStage(std::move(name)),
      options_(std::move(options)),
      index_(std::move(index)),
      stats_(std::move(stats)),
      shingler_(options_.shingles) {}

CandidateShingleStage::CandidateShingleStage(const CandidateShingleStage& other)
    : CloneableStage(other),
      options_(other.options_),
      index_(other.index_),
      stats_(other.stats_),
      shingler_(options_.shingles) {}

StageIO CandidateShingleStage::inputs() const {
  return {{options_.text_field, options_.id_field, std::string(kDedupIdColumn)}};
}

StageIO CandidateShingleStage::outputs() const {
  return {{std::string(kDedupIdColumn), std::string(kComponentColumn), options_.id_field,
           std::string(kShingleSetColumn)}};
}

std::vector<TaskPtr> CandidateShingleStage::process(TaskPtr task) {
  const auto& batch = dynamic_cast<const DocumentBatch&>(*task);
  const auto text = batch.strings(options_.text_field);
  const auto user_ids = batch.strings(options_.id_field);
  const auto ids = batch.int64s(kDedupIdColumn);

  std::vector<int64_t> out_ids;
  std::vector<int64_t> components;
  StringColumn out_user_ids;
  StringColumn sets;
  uint64_t bytes = 0;
  for (std::size_t row = 0; row < batch.num_rows(); ++row) {
    const auto position = index_->find(ids[row]);
    if (!position) continue;
    shingler_.hash_set(text[row], set_);
    out_ids.push_back(ids[row]);
    components.push_back(index_->component(*position));
    out_user_ids.append(user_ids[row]);
    const std::string_view set_bytes(reinterpret_cast<const char*>(set_.data()),
                                     set_.size() * sizeof(uint64_t));
    sets.append(set_bytes);
    bytes += set_bytes.size();
  }
  stats_->verification_bytes.fetch_add(bytes, std::memory_order_relaxed);
  if (out_ids.empty()) return {};
  auto out = std::make_shared<DocumentBatch>(task->task_id(), task->dataset_name());
  out->inherit_from(*task);
  out->set_column(std::string(kDedupIdColumn), std::move(out_ids));
  out->set_column(std::string(kComponentColumn), std::move(components));
  out->set_column(options_.id_field, std::move(out_user_ids));
  out->set_column(std::string(kShingleSetColumn), std::move(sets));
  return {out};
}

StageRecipe CandidateShingleStage::recipe() const {
  return {std::string(kCandidateShingleStageType), fuzzy_options_to_json(options_),
          index_->to_bytes()};
}

nlohmann::json CandidateShingleStage::counters() const { return stats_->counters(); }

void CandidateShingleStage::merge_counters(const nlohmann::json& counters) {
  stats_->merge(counters);
}

}  // namespace curate::dedup
