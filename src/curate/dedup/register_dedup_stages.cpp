#include "curate/dedup/register_dedup_stages.hpp"

#include "curate/dedup/exact/exact_duplicates.hpp"
#include "curate/dedup/fuzzy/fuzzy_stage_rebuilders.hpp"
#include "curate/dedup/removal/remove_duplicates_stage.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

namespace curate::dedup {
namespace {

using nlohmann::json;

std::vector<std::string> string_list(StageParams& params, const std::string& key) {
  const json value = params.require<json>(key);
  if (value.is_string()) return {value.get<std::string>()};
  if (value.is_array() && !value.empty() &&
      std::all_of(value.begin(), value.end(), [](const json& v) { return v.is_string(); })) {
    return value.get<std::vector<std::string>>();
  }
  throw std::invalid_argument("stage '" + params.stage_name() + "': parameter '" + key +
                              "' must be a string or a non-empty list of strings");
}

ExactDuplicatesOptions exact_options(StageParams& params) {
  ExactDuplicatesOptions options;
  options.text_field = params.get<std::string>("text_field", options.text_field);
  options.id_field = params.get<std::string>("id_field", options.id_field);
  try {
    options.hash = text_hash_from_name(params.get<std::string>("hash", "xxh3_128"));
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument("stage '" + params.stage_name() + "': " + error.what());
  }
  options.num_partitions = params.get<int>("num_partitions", options.num_partitions);
  return options;
}

void register_exact_duplicates(StageRegistry& registry) {
  const ExactDuplicatesOptions defaults;
  registry.add(StageRegistration{
      "exact_duplicates",
      "Find documents with identical text (hash, shuffle, keep the first) and write a removal "
      "list of {\"id\", \"kept_id\"}; needs jsonl_reader with add_dedup_id: true",
      {{"removal_list_dir", json(), "folder for the removal list files part.NNNNN.jsonl"},
       {"text_field", defaults.text_field, "the field holding the document text"},
       {"id_field", defaults.id_field, "the documents' (unique) id, written to the list"},
       {"hash", to_string(defaults.hash), "xxh3_128, or md5 for parity with NeMo Curator"},
       {"num_partitions", defaults.num_partitions, "shuffle partitions"}},
      [](StageParams& params) -> StagePtr {
        return std::make_shared<ExactDuplicates>(exact_options(params),
                                                 params.require<std::string>("removal_list_dir"));
      }});
  // The shuffle alone, as ExactDuplicates' expansion describes it (recipe()).
  registry.add_rebuilder(
      std::string(kExactDuplicatesStageType),
      [](StageParams& params, std::string_view payload) -> StagePtr {
        if (!payload.empty()) {
          throw std::invalid_argument("stage '" + params.stage_name() + "': takes no payload");
        }
        return std::make_shared<ExactDuplicatesStage>(exact_options(params));
      });
}

void register_remove_duplicates(StageRegistry& registry) {
  registry.add(StageRegistration{
      "remove_duplicates",
      "Drop the documents whose id a removal list names (one streaming pass)",
      {{"removal_list", json(), "removal list files or folders (JSONL lines with \"id\")"},
       {"id_field", "id", "the documents' id field"}},
      [](StageParams& params) -> StagePtr {
        RemoveDuplicatesOptions options;
        options.removal_list = string_list(params, "removal_list");
        options.id_field = params.get<std::string>("id_field", options.id_field);
        return std::make_shared<RemoveDuplicatesStage>(std::move(options));
      }});
}

}  // namespace

void register_dedup_stages(StageRegistry& registry) {
  // One call per stage family; fuzzy deduplication registers its stages here too.
  register_exact_duplicates(registry);
  register_remove_duplicates(registry);
  register_fuzzy_rebuilders(registry);
}

}  // namespace curate::dedup
