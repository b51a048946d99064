#include "curate/backends/mpi/job_progress.hpp"

#include <nlohmann/json.hpp>

namespace curate::backends::mpi {

std::string encode_progress(const std::vector<StageProgress>& stages) {
  nlohmann::json out = nlohmann::json::array();
  for (const StageProgress& stage : stages) {
    out.push_back({stage.workers, stage.tasks_done, stage.tasks_out, stage.items_in, stage.unit_in,
                   stage.items_out, stage.unit_out, stage.queue_depth});
  }
  return out.dump();
}

void add_progress(std::vector<StageProgress>& total, std::string_view encoded) {
  if (encoded.empty()) return;
  const nlohmann::json in = nlohmann::json::parse(encoded, nullptr, false);
  if (!in.is_array()) return;
  for (std::size_t i = 0; i < in.size() && i < total.size(); ++i) {
    const nlohmann::json& row = in[i];
    if (!row.is_array() || row.size() != 8) return;
    StageProgress& stage = total[i];
    stage.workers += row[0].get<int>();
    stage.tasks_done += row[1].get<std::uint64_t>();
    stage.tasks_out += row[2].get<std::uint64_t>();
    stage.items_in += row[3].get<std::uint64_t>();
    if (stage.unit_in.empty()) stage.unit_in = row[4].get<std::string>();
    stage.items_out += row[5].get<std::uint64_t>();
    if (stage.unit_out.empty()) stage.unit_out = row[6].get<std::string>();
    stage.queue_depth += row[7].get<std::size_t>();
  }
}

}  // namespace curate::backends::mpi
