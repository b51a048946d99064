#include "curate/backends/run_stats.hpp"

#include "curate/core/task.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace curate::backends {
namespace {

using nlohmann::json;

std::uint64_t total_dropped(const StageStats& stage) {
  std::uint64_t total = 0;
  for (const auto& [reason, count] : stage.dropped_by_reason) total += count;
  return total;
}

// Keeps the table narrow: 1234567 -> "1.23M".
std::string compact(double value) {
  if (value >= 1e9) return fmt::format("{:.2f}G", value / 1e9);
  if (value >= 1e6) return fmt::format("{:.2f}M", value / 1e6);
  if (value >= 1e4) return fmt::format("{:.1f}k", value / 1e3);
  return fmt::format("{:.0f}", value);
}

std::uint64_t documents_of(std::uint64_t count, const std::string& unit) {
  return unit == kDocumentsUnit ? count : 0;
}

json unit_json(const std::string& unit) { return unit.empty() ? json() : json(unit); }

std::string unit_from_json(const json& value) {
  return value.is_string() ? value.get<std::string>() : std::string();
}

}  // namespace

std::string merge_unit_name(const std::string& seen, const std::string& unit) {
  if (unit.empty() || unit == seen) return seen;
  return seen.empty() ? unit : std::string(kItemsUnit);
}

std::uint64_t StageStats::documents_in() const { return documents_of(items_in, unit_in); }

std::uint64_t StageStats::documents_out() const { return documents_of(items_out, unit_out); }

bool StageStats::moves_documents() const {
  return unit_in == kDocumentsUnit || unit_out == kDocumentsUnit;
}

double StageStats::throughput_documents_per_s() const {
  // A reader turns a few file groups into many documents: it handles what it emits.
  const std::uint64_t handled = std::max(documents_in(), documents_out());
  return wall_time_s > 0.0 ? static_cast<double>(handled) / wall_time_s : 0.0;
}

void StageStats::merge(const StageStats& other) {
  workers += other.workers;
  instances += other.instances;
  calls += other.calls;
  tasks_in += other.tasks_in;
  tasks_out += other.tasks_out;
  items_in += other.items_in;
  unit_in = merge_unit_name(unit_in, other.unit_in);
  items_out += other.items_out;
  unit_out = merge_unit_name(unit_out, other.unit_out);
  for (const auto& [reason, count] : other.dropped_by_reason) dropped_by_reason[reason] += count;
  process_time_s += other.process_time_s;
  idle_time_s += other.idle_time_s;
  wall_time_s = std::max(wall_time_s, other.wall_time_s);
}

json RunStats::to_json() const {
  json out = {{"executor", executor},
              {"wall_time_s", wall_time_s},
              {"input_tasks", input_tasks},
              {"output_tasks", output_tasks},
              {"succeeded", succeeded},
              {"cancelled", cancelled},
              {"error", error}};
  json list = json::array();
  for (const auto& stage : stages) {
    list.push_back({{"name", stage.name},
                    {"workers", stage.workers},
                    {"instances", stage.instances},
                    {"calls", stage.calls},
                    {"tasks_in", stage.tasks_in},
                    {"tasks_out", stage.tasks_out},
                    {"items_in", stage.items_in},
                    {"items_in_unit", unit_json(stage.unit_in)},
                    {"items_out", stage.items_out},
                    {"items_out_unit", unit_json(stage.unit_out)},
                    {"documents_in", stage.documents_in()},
                    {"documents_out", stage.documents_out()},
                    {"dropped_by_reason", stage.dropped_by_reason},
                    {"process_time_s", stage.process_time_s},
                    {"idle_time_s", stage.idle_time_s},
                    {"wall_time_s", stage.wall_time_s},
                    {"throughput_documents_per_s",
                     stage.moves_documents() ? json(stage.throughput_documents_per_s()) : json()}});
  }
  out["stages"] = std::move(list);
  return out;
}

RunStats RunStats::from_json(const nlohmann::json& json) {
  RunStats stats;
  json.at("executor").get_to(stats.executor);
  json.at("wall_time_s").get_to(stats.wall_time_s);
  json.at("input_tasks").get_to(stats.input_tasks);
  json.at("output_tasks").get_to(stats.output_tasks);
  json.at("succeeded").get_to(stats.succeeded);
  stats.cancelled = json.value("cancelled", false);
  json.at("error").get_to(stats.error);
  for (const auto& entry : json.at("stages")) {
    StageStats stage;
    entry.at("name").get_to(stage.name);
    entry.at("workers").get_to(stage.workers);
    entry.at("instances").get_to(stage.instances);
    entry.at("calls").get_to(stage.calls);
    entry.at("tasks_in").get_to(stage.tasks_in);
    entry.at("tasks_out").get_to(stage.tasks_out);
    entry.at("items_in").get_to(stage.items_in);
    stage.unit_in = unit_from_json(entry.at("items_in_unit"));
    entry.at("items_out").get_to(stage.items_out);
    stage.unit_out = unit_from_json(entry.at("items_out_unit"));
    entry.at("dropped_by_reason").get_to(stage.dropped_by_reason);
    entry.at("process_time_s").get_to(stage.process_time_s);
    entry.at("idle_time_s").get_to(stage.idle_time_s);
    entry.at("wall_time_s").get_to(stage.wall_time_s);
    stats.stages.push_back(std::move(stage));
  }
  return stats;
}

void RunStats::merge(const RunStats& other) {
  if (other.stages.size() != stages.size()) {
    throw std::invalid_argument(fmt::format("cannot merge run stats of {} stages into {} stages",
                                            other.stages.size(), stages.size()));
  }
  for (std::size_t i = 0; i < stages.size(); ++i) {
    if (stages[i].name != other.stages[i].name) {
      throw std::invalid_argument(fmt::format("cannot merge stats of stage '{}' into stage '{}'",
                                              other.stages[i].name, stages[i].name));
    }
    stages[i].merge(other.stages[i]);
  }
  wall_time_s = std::max(wall_time_s, other.wall_time_s);
  input_tasks += other.input_tasks;
  output_tasks += other.output_tasks;
  succeeded = succeeded && other.succeeded;
  cancelled = cancelled || other.cancelled;
  if (error.empty()) error = other.error;
}

std::string RunStats::to_table() const {
  std::size_t width = 5;
  for (const auto& stage : stages) width = std::max(width, stage.name.size());
  // "items in > out" is one column: the counts meet at the '>' whatever their widths.
  std::string out = fmt::format(
      "{:<{}} {:>4} {:>8} {:>8} {:>14} > {:<14} {:>8} {:>9} {:>9} {:>10}\n", "stage", width, "wrk",
      "tasks>", "tasks<", "items in", "out", "dropped", "proc s", "wall s", "docs/s");
  for (const auto& stage : stages) {
    out += fmt::format(
        "{:<{}} {:>4} {:>8} {:>8} {:>14} > {:<14} {:>8} {:>9.3f} {:>9.3f} {:>10}\n", stage.name,
        width, stage.workers, compact(static_cast<double>(stage.tasks_in)),
        compact(static_cast<double>(stage.tasks_out)),
        format_item_count(stage.items_in, stage.unit_in),
        format_item_count(stage.items_out, stage.unit_out),
        compact(static_cast<double>(total_dropped(stage))), stage.process_time_s, stage.wall_time_s,
        stage.moves_documents() ? compact(stage.throughput_documents_per_s()) : "-");
  }
  const char* outcome = succeeded ? "succeeded" : (cancelled ? "was cancelled" : "failed");
  out += fmt::format("{} {} in {:.3f} s: {} input tasks, {} output tasks", executor, outcome,
                     wall_time_s, input_tasks, output_tasks);
  if (!error.empty()) out += fmt::format("\nerror: {}", error);
  return out;
}

std::uint64_t StageProgress::documents() const {
  return std::max(documents_of(items_in, unit_in), documents_of(items_out, unit_out));
}

std::string format_item_count(std::uint64_t count, const std::string& unit) {
  if (count == 0 && unit.empty()) return "-";
  std::string name = unit.empty() ? std::string(kItemsUnit) : unit;
  if (name == kDocumentsUnit) name = "docs";
  // "1 file", "1 doc": the units are plural nouns ending in 's'.
  if (count == 1 && name.size() > 1 && name.back() == 's') name.pop_back();
  return fmt::format("{} {}", compact(static_cast<double>(count)), name);
}

}  // namespace curate::backends
