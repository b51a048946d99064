#include "curate/dedup/fuzzy/fuzzy_deduplication_workflow.hpp"

#include "curate/core/pipeline.hpp"
#include "curate/dedup/fuzzy/candidate_index.hpp"
#include "curate/dedup/fuzzy/candidate_shingle_stage.hpp"
#include "curate/dedup/fuzzy/connected_components_stage.hpp"
#include "curate/dedup/fuzzy/duplicate_clustering_stage.hpp"
#include "curate/dedup/fuzzy/fuzzy_stats.hpp"
#include "curate/dedup/fuzzy/lsh_bucket_stage.hpp"
#include "curate/dedup/fuzzy/minhash_stage.hpp"
#include "curate/io/jsonl_writer_stage.hpp"

#include <filesystem>
#include <stdexcept>

namespace curate::dedup {

namespace fs = std::filesystem;

FuzzyDeduplicationWorkflow::FuzzyDeduplicationWorkflow(FuzzyDeduplicationConfig config)
    : config_(std::move(config)) {
  const auto fail = [](const std::string& message) {
    throw std::invalid_argument("FuzzyDeduplicationWorkflow: " + message);
  };
  if (config_.input.paths.empty()) fail("input_path must name at least one file or folder");
  if (config_.output_path.empty()) fail("output_path must be set");
  if (config_.input.batch_rows == 0) fail("batch_rows must be at least 1");
  config_.options.text_field = config_.input.text_field;
  config_.options.id_field = config_.input.id_field;
  config_.options = config_.options.resolved();
  reader_ = make_dedup_reader(config_.input, true);
  removal_list_dir_ = (fs::path(config_.output_path) / "removal_list").string();
  deduplicated_dir_ = (fs::path(config_.output_path) / "deduplicated").string();
}

nlohmann::json FuzzyDeduplicationWorkflow::run(
    Executor& executor, const std::function<void(const std::string&)>& after_phase) const {
  const auto& options = config_.options;
  prepare_output_dir(removal_list_dir_, config_.overwrite);
  if (config_.perform_removal) prepare_output_dir(deduplicated_dir_, config_.overwrite);
  fs::create_directories(removal_list_dir_);
  auto stats = std::make_shared<FuzzyStats>();

  // Phase 1: sketches, buckets, components.
  Pipeline candidates("fuzzy_dedup_candidates",
                      {reader_, std::make_shared<MinHashStage>(options, stats),
                       std::make_shared<LshBucketStage>(options, stats),
                       std::make_shared<ConnectedComponentsStage>(stats)});
  const auto index = CandidateIndex::build(candidates.run(executor));
  if (after_phase) after_phase("candidates");

  // Phase 2: exact Jaccard of the candidates, clustering, the removal list.
  if (index->size() > 0) {
    io::JsonlWriterOptions writing;
    writing.output_dir = removal_list_dir_;
    Pipeline verify("fuzzy_dedup_verify",
                    {reader_, std::make_shared<CandidateShingleStage>(options, index, stats),
                     std::make_shared<DuplicateClusteringStage>(options, index, stats),
                     std::make_shared<io::JsonlWriterStage>(writing, "write_removal_list")});
    verify.run(executor);
    if (after_phase) after_phase("verify");
  }

  auto result = stats->to_json();
  result["candidate_index_bytes"] = index->memory_bytes();
  result["removal_list"] = removal_list_dir_;

  // Phase 3: the corpus without the removed documents.
  if (config_.perform_removal) {
    uint64_t written = 0;
    for (const TaskPtr& file : removal_pipeline(config_.input, removal_list_dir_, deduplicated_dir_,
                                                "fuzzy_dedup_removal")
                                   .run(executor)) {
      written += metadata_count(*file, "rows_written");
    }
    if (after_phase) after_phase("removal");
    result["kept_written"] = written;
    result["deduplicated"] = deduplicated_dir_;
  }
  return result;
}

}  // namespace curate::dedup
