#include "curate/dedup/fuzzy/fuzzy_deduplication_workflow.hpp"

#include "curate/core/pipeline.hpp"
#include "curate/dedup/fuzzy/candidate_index.hpp"
#include "curate/dedup/fuzzy/candidate_shingle_stage.hpp"
#include "curate/dedup/fuzzy/connected_components_stage.hpp"
#include "curate/dedup/fuzzy/duplicate_clustering_stage.hpp"
#include "curate/dedup/fuzzy/fuzzy_stats.hpp"
#include "curate/dedup/fuzzy/lsh_bucket_stage.hpp"
#include "curate/dedup/fuzzy/minhash_stage.hpp"
#include "curate/io/jsonl_reader_stage.hpp"
#include "curate/io/jsonl_writer_stage.hpp"

#include <filesystem>
#include <stdexcept>

namespace curate::dedup {
namespace {

StagePtr make_reader(const FuzzyDeduplicationConfig& config) {
  io::FilePartitioningOptions partitioning;
  partitioning.paths = config.input_paths;
  partitioning.files_per_partition = config.files_per_partition;
  partitioning.blocksize = config.blocksize;
  if (!partitioning.files_per_partition && !partitioning.blocksize)
    partitioning.files_per_partition = 1;
  io::JsonlReaderOptions reading;
  reading.schema.text_field = config.options.text_field;
  reading.schema.id_field = config.options.id_field;
  reading.batch_rows = config.batch_rows;
  reading.max_line_bytes = config.max_line_bytes;
  reading.add_dedup_id = true;
  return std::make_shared<io::JsonlReader>(std::move(partitioning), std::move(reading), "read");
}

}  // namespace

FuzzyDeduplicationWorkflow::FuzzyDeduplicationWorkflow(FuzzyDeduplicationConfig config)
    : config_(std::move(config)) {
  config_.options = config_.options.resolved();
  if (config_.input_paths.empty()) throw std::invalid_argument("fuzzy dedup: no input path given");
  if (config_.output_path.empty()) throw std::invalid_argument("fuzzy dedup: no output path given");
  if (config_.batch_rows == 0)
    throw std::invalid_argument("fuzzy dedup: batch_rows must be at least 1");
  reader_ = make_reader(config_);
}

std::string FuzzyDeduplicationWorkflow::removal_list_dir() const {
  return (std::filesystem::path(config_.output_path) / "FuzzyDuplicateIds").string();
}

nlohmann::json FuzzyDeduplicationWorkflow::run(
    Executor& executor, const std::function<void(const std::string&)>& after_phase) const {
  const auto& options = config_.options;
  auto stats = std::make_shared<FuzzyStats>();
  const auto removal_dir = removal_list_dir();
  std::filesystem::remove_all(removal_dir);
  std::filesystem::create_directories(removal_dir);

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
    writing.output_dir = removal_dir;
    Pipeline verify("fuzzy_dedup_verify",
                    {reader_, std::make_shared<CandidateShingleStage>(options, index, stats),
                     std::make_shared<DuplicateClusteringStage>(options, index, stats),
                     std::make_shared<io::JsonlWriterStage>(writing, "write_removal_list")});
    verify.run(executor);
    if (after_phase) after_phase("verify");
  }

  auto result = stats->to_json();
  result["candidate_index_bytes"] = index->memory_bytes();
  result["removal_list"] = removal_dir;
  return result;
}

}  // namespace curate::dedup
