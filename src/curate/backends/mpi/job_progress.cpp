#include "curate/backends/mpi/job_progress.hpp"

#include <nlohmann/json.hpp>

namespace curate::backends::mpi {
namespace {

constexpr std::size_t kFields = 8;

// Parse every row before adding any, so a bad message changes nothing.
bool parse_row(const nlohmann::json& row, StageProgress& out) {
  if (!row.is_array() || row.size() != kFields) return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 7}) {
    if (!row[i].is_number_unsigned() && !row[i].is_number_integer()) return false;
  }
  if (!row[4].is_string() || !row[6].is_string()) return false;
  out.workers = row[0].get<int>();
  out.tasks_done = row[1].get<std::uint64_t>();
  out.tasks_out = row[2].get<std::uint64_t>();
  out.items_in = row[3].get<std::uint64_t>();
  out.unit_in = row[4].get<std::string>();
  out.items_out = row[5].get<std::uint64_t>();
  out.unit_out = row[6].get<std::string>();
  out.queue_depth = row[7].get<std::size_t>();
  return true;
}

}  // namespace

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
  std::vector<StageProgress> rows(std::min(in.size(), total.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!parse_row(in[i], rows[i])) return;
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    StageProgress& stage = total[i];
    stage.workers += rows[i].workers;
    stage.tasks_done += rows[i].tasks_done;
    stage.tasks_out += rows[i].tasks_out;
    stage.items_in += rows[i].items_in;
    if (stage.unit_in.empty()) stage.unit_in = rows[i].unit_in;
    stage.items_out += rows[i].items_out;
    if (stage.unit_out.empty()) stage.unit_out = rows[i].unit_out;
    stage.queue_depth += rows[i].queue_depth;
  }
}

}  // namespace curate::backends::mpi
