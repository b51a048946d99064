#include "curate/dedup/fuzzy/fuzzy_stage_rebuilders.hpp"

#include "curate/dedup/fuzzy/candidate_shingle_stage.hpp"
#include "curate/dedup/fuzzy/connected_components_stage.hpp"
#include "curate/dedup/fuzzy/duplicate_clustering_stage.hpp"
#include "curate/dedup/fuzzy/lsh_bucket_stage.hpp"
#include "curate/dedup/fuzzy/minhash_stage.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace curate::dedup {
namespace {

using nlohmann::json;

// Reads every option key through `params`, so that a key the options do not know is
// reported as unknown by the registry.
FuzzyOptions read_options(StageParams& params) {
  const json keys = fuzzy_options_to_json(FuzzyOptions{});
  json values = json::object();
  for (const auto& [key, fallback] : keys.items()) values[key] = params.get<json>(key, json());
  try {
    return fuzzy_options_from_json(values);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(fmt::format("stage '{}': {}", params.stage_name(), error.what()));
  }
}

void no_payload(const StageParams& params, std::string_view payload) {
  if (!payload.empty()) {
    throw std::invalid_argument(fmt::format("stage '{}': takes no payload, got {} bytes",
                                            params.stage_name(), payload.size()));
  }
}

CandidateIndexPtr read_index(const StageParams& params, std::string_view payload) {
  try {
    return CandidateIndex::from_bytes(payload);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(fmt::format("stage '{}': {}", params.stage_name(), error.what()));
  }
}

}  // namespace

void register_fuzzy_rebuilders(StageRegistry& registry) {
  registry.add_rebuilder(std::string(kMinHashStageType),
                         [](StageParams& params, std::string_view payload) -> StagePtr {
                           no_payload(params, payload);
                           return std::make_shared<MinHashStage>(read_options(params),
                                                                 std::make_shared<FuzzyStats>());
                         });
  registry.add_rebuilder(std::string(kLshBucketStageType),
                         [](StageParams& params, std::string_view payload) -> StagePtr {
                           no_payload(params, payload);
                           return std::make_shared<LshBucketStage>(read_options(params),
                                                                   std::make_shared<FuzzyStats>());
                         });
  registry.add_rebuilder(
      std::string(kConnectedComponentsStageType),
      [](StageParams& params, std::string_view payload) -> StagePtr {
        no_payload(params, payload);
        return std::make_shared<ConnectedComponentsStage>(std::make_shared<FuzzyStats>());
      });
  registry.add_rebuilder(std::string(kCandidateShingleStageType),
                         [](StageParams& params, std::string_view payload) -> StagePtr {
                           return std::make_shared<CandidateShingleStage>(
                               read_options(params), read_index(params, payload),
                               std::make_shared<FuzzyStats>());
                         });
  registry.add_rebuilder(std::string(kDuplicateClusteringStageType),
                         [](StageParams& params, std::string_view payload) -> StagePtr {
                           return std::make_shared<DuplicateClusteringStage>(
                               read_options(params), read_index(params, payload),
                               std::make_shared<FuzzyStats>());
                         });
}

}  // namespace curate::dedup
