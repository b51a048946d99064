#include "curate/cli/bad_records.hpp"

#include "curate/io/jsonl_reader_stage.hpp"

namespace curate::cli {

std::vector<std::shared_ptr<io::BadRecordSink>> bad_record_sinks(
    const std::vector<StagePtr>& stages) {
  std::vector<std::shared_ptr<io::BadRecordSink>> sinks;
  for (const StagePtr& stage : stages) {
    if (const auto* reader = dynamic_cast<const io::JsonlReaderStage*>(stage.get())) {
      sinks.push_back(reader->bad_record_sink());
    }
  }
  return sinks;
}

nlohmann::json bad_records_json(const std::vector<std::shared_ptr<io::BadRecordSink>>& sinks,
                                const std::filesystem::path& errors_path) {
  std::uint64_t total = 0;
  nlohmann::json by_reason = nlohmann::json::object();
  for (const auto& sink : sinks) {
    total += sink->total();
    for (const auto& [reason, count] : sink->counts()) {
      by_reason[reason] = by_reason.value(reason, std::uint64_t{0}) + count;
    }
  }
  return {{"total", total}, {"by_reason", by_reason}, {"errors_file", errors_path.string()}};
}

}  // namespace curate::cli
