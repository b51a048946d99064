#include "curate/cli/resume.hpp"

#include "curate/core/shuffle_stage.hpp"
#include "curate/core/task_ids.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <optional>
#include <stdexcept>

namespace curate::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTemporarySuffix = ".tmp";
constexpr std::size_t kMaxPlainMarkerName = 120;

bool is_safe_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

class ResumeSourceStage final : public ProcessingStage {
 public:
  ResumeSourceStage(StagePtr inner, std::shared_ptr<CompletionLedger> ledger)
      : ProcessingStage(inner->name(), inner->resources(), inner->batch_size()),
        inner_(std::move(inner)),
        ledger_(std::move(ledger)) {
    set_num_workers(inner_->num_workers());
  }

  StageIO inputs() const override { return inner_->inputs(); }
  StageIO outputs() const override { return inner_->outputs(); }
  StageSpec ray_stage_spec() const override { return inner_->stage_spec(); }

  void setup_on_node(const NodeInfo& node, const WorkerMetadata& worker) override {
    inner_->setup_on_node(node, worker);
  }
  bool sets_up_nodes() const override { return inner_->sets_up_nodes(); }
  void setup(const WorkerMetadata& worker) override { inner_->setup(worker); }
  void teardown() override { inner_->teardown(); }
  // A reader's bad-record counts, which a Ray actor sends back at its teardown.
  nlohmann::json counters() const override { return inner_->counters(); }
  void merge_counters(const nlohmann::json& counters) override { inner_->merge_counters(counters); }

  std::vector<TaskPtr> process(TaskPtr task) override { return process_batch({std::move(task)}); }

  std::vector<TaskPtr> process_batch(std::vector<TaskPtr> tasks) override {
    std::vector<TaskPtr> out;
    for (TaskPtr& task : tasks) {
      if (!task) continue;
      const std::string source_id = task->task_id();
      if (ledger_->is_completed(source_id)) {
        ledger_->note_skipped();
        continue;
      }
      // One call per source task, so every output is known to come from it.
      std::vector<TaskPtr> produced = inner_->process_batch({std::move(task)});
      std::erase(produced, nullptr);
      assign_output_ids({source_id}, produced);
      const std::size_t count = produced.size();
      for (std::size_t i = 0; i < count; ++i) {
        produced[i]->metadata()[kSourceTaskKey] = {
            {"id", source_id}, {"index", i}, {"count", count}};
        out.push_back(std::move(produced[i]));
      }
      if (count == 0) ledger_->mark_completed(source_id, 0);
    }
    return out;
  }

  bool streams_outputs() const override { return inner_->streams_outputs(); }

  // Outputs go on as they are made (a reader's batches), so their number is not known
  // while they travel: each carries its index, and the ledger learns the count when the
  // stream ends. The executor gives them the ids `process_batch` would (one task a call).
  void process_stream(TaskPtr task, const OutputSink& emit) override {
    if (!task) return;
    const std::string source_id = task->task_id();
    if (ledger_->is_completed(source_id)) {
      ledger_->note_skipped();
      return;
    }
    std::size_t count = 0;
    bool stopped = false;
    inner_->process_stream(std::move(task), [&](TaskPtr output) {
      if (!output) return true;
      output->metadata()[kSourceTaskKey] = {{"id", source_id}, {"index", count++}};
      stopped = !emit(std::move(output));
      return !stopped;
    });
    if (!stopped) ledger_->record_count(source_id, count);
  }

  std::shared_ptr<ProcessingStage> clone() const override {
    return std::make_shared<ResumeSourceStage>(inner_->clone(), ledger_);
  }

 private:
  StagePtr inner_;
  std::shared_ptr<CompletionLedger> ledger_;
};

class CompletionStage final : public CloneableStage<CompletionStage> {
 public:
  explicit CompletionStage(std::shared_ptr<CompletionLedger> ledger)
      : CloneableStage(kCompletionStageName), ledger_(std::move(ledger)) {}

  std::vector<TaskPtr> process(TaskPtr task) override {
    if (!ledger_ || !task) return {};
    const auto it = task->metadata().find(kSourceTaskKey);
    if (it == task->metadata().end() || !it->is_object()) return {};
    const nlohmann::json& source = *it;
    if (!source.contains("id") || !source["id"].is_string() || !source.contains("index") ||
        !source["index"].is_number_unsigned()) {
      return {};
    }
    std::optional<std::size_t> count;  // absent for streamed outputs
    if (source.contains("count") && source["count"].is_number_unsigned()) {
      count = source["count"].get<std::size_t>();
    }
    ledger_->record_arrival(source["id"].get<std::string>(), source["index"].get<std::size_t>(),
                            count);
    return {};
  }

 private:
  std::shared_ptr<CompletionLedger> ledger_;
};

}  // namespace

CompletionLedger::CompletionLedger(fs::path markers_dir, bool remove_partial)
    : markers_dir_(std::move(markers_dir)) {
  fs::create_directories(markers_dir_);
  for (const auto& entry : fs::directory_iterator(markers_dir_)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(kTemporarySuffix)) {
      std::error_code ignored;
      if (remove_partial) fs::remove(entry.path(), ignored);  // interrupted while written
      continue;
    }
    if (entry.is_regular_file()) completed_.insert(name);
  }
  previously_completed_ = completed_.size();
}

bool CompletionLedger::is_completed(const std::string& source_id) const {
  std::lock_guard lock(mutex_);
  return completed_.contains(marker_name(source_id));
}

void CompletionLedger::record_arrival(const std::string& source_id, std::size_t index,
                                      std::optional<std::size_t> count) {
  std::optional<std::size_t> complete;
  {
    std::lock_guard lock(mutex_);
    Progress& progress = arrived_[source_id];
    progress.indices.insert(index);
    if (count) progress.count = count;
    complete = take_if_complete(source_id, progress);
  }
  if (complete) mark_completed(source_id, *complete);
}

void CompletionLedger::record_count(const std::string& source_id, std::size_t count) {
  std::optional<std::size_t> complete;
  {
    std::lock_guard lock(mutex_);
    Progress& progress = arrived_[source_id];
    progress.count = count;
    complete = take_if_complete(source_id, progress);
  }
  if (complete) mark_completed(source_id, *complete);
}

std::optional<std::size_t> CompletionLedger::take_if_complete(const std::string& source_id,
                                                              const Progress& progress) {
  if (!progress.count || progress.indices.size() < *progress.count) return std::nullopt;
  const std::size_t count = *progress.count;
  arrived_.erase(source_id);
  return count;
}

void CompletionLedger::mark_completed(const std::string& source_id, std::size_t count) {
  const std::string name = marker_name(source_id);
  std::lock_guard lock(mutex_);
  if (completed_.contains(name)) return;
  const fs::path target = markers_dir_ / name;
  const fs::path temporary = markers_dir_ / (name + std::string(kTemporarySuffix));
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << nlohmann::json{{"source_task", source_id}, {"outputs", count}}.dump() << '\n';
    if (!file) {
      throw std::runtime_error(
          fmt::format("cannot write the completion marker '{}'", temporary.string()));
    }
  }
  fs::rename(temporary, target);
  completed_.insert(name);
  ++written_;
}

std::size_t CompletionLedger::completed_this_run() const {
  std::lock_guard lock(mutex_);
  return written_;
}

std::string CompletionLedger::marker_name(const std::string& source_id) {
  const bool safe = !source_id.empty() && source_id.front() != '.' &&
                    source_id.size() <= kMaxPlainMarkerName &&
                    !source_id.ends_with(kTemporarySuffix) &&
                    std::all_of(source_id.begin(), source_id.end(), is_safe_name_char);
  if (safe) return source_id;
  std::string name;
  for (char c : source_id.substr(0, kMaxPlainMarkerName)) name += is_safe_name_char(c) ? c : '_';
  return fmt::format("{}-{}", name, stable_hash_id(source_id));
}

StagePtr make_resume_source_stage(StagePtr inner, std::shared_ptr<CompletionLedger> ledger) {
  return std::make_shared<ResumeSourceStage>(std::move(inner), std::move(ledger));
}

StagePtr make_completion_stage(std::shared_ptr<CompletionLedger> ledger) {
  return std::make_shared<CompletionStage>(std::move(ledger));
}

std::vector<StagePtr> add_resume_tracking(std::vector<StagePtr> built,
                                          std::shared_ptr<CompletionLedger> ledger,
                                          bool& resumable) {
  resumable = false;
  if (built.size() >= 2 && ledger) {
    // A shuffle or gang anywhere needs every input in one run: skipping the sources a
    // previous run completed would leave documents out of its groups (exact dedup after
    // a reader would miss duplicates).
    const ProcessingStage* collective = nullptr;
    for (std::size_t i = 1; i < built.size() && collective == nullptr; ++i) {
      const ProcessingStage& stage = *built[i];
      const StageSpec spec = stage.stage_spec();
      if (dynamic_cast<const ShuffleStage*>(&stage) != nullptr ||
          dynamic_cast<const GangStage*>(&stage) != nullptr || spec.is_shuffle_stage() ||
          spec.is_lsh_stage() || spec.is_raft_actor()) {
        collective = &stage;
      }
    }
    if (collective == nullptr) {
      built[1] = make_resume_source_stage(built[1], ledger);
      resumable = true;
    } else {
      spdlog::info("resume is off for this pipeline: stage '{}' is a shuffle or gang stage",
                   collective->name());
    }
  }
  built.push_back(make_completion_stage(resumable ? std::move(ledger) : nullptr));
  return built;
}

}  // namespace curate::cli
