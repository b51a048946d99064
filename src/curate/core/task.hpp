#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace curate {

/// The units tasks count their items in (`Task::item_unit`): plural nouns, as stats.json
/// writes them.
inline constexpr const char* kDocumentsUnit = "documents";
inline constexpr const char* kFilesUnit = "files";
/// The unit of a task type that names none, and of a count that mixes units.
inline constexpr const char* kItemsUnit = "items";

/// Return the unit of a count that already has `seen` (null: none yet) and now adds
/// items in `unit` (null or "": a task that holds nothing, which changes nothing):
/// `unit` when it is the first, `seen` when they agree, else kItemsUnit. Pure.
const char* merge_item_unit(const char* seen, const char* unit);

/// Record what one stage did to produce a task: attached by the executor's stage adapter
/// to every output, so a task carries its own history through the pipeline.
struct StagePerfRecord {
  std::string stage_name;
  double process_time_s = 0.0;  ///< wall time of the process_batch call that made it
  double idle_time_s = 0.0;     ///< time the worker waited for input before that call
  std::size_t input_size = 0;   ///< items in the input tasks of that call
  std::size_t items_processed = 0;
  std::map<std::string, double> custom_metrics;
};

/// Base of every unit of data that moves between stages. A task is owned by one stage at
/// a time (no concurrent access); it carries a deterministic id, the dataset name, free
/// metadata and its performance history.
class Task {
 public:
  virtual ~Task() = default;

  /// Return the type name used in logs, `describe` and serialisation ("DocumentBatch").
  virtual std::string type_name() const = 0;
  /// Return the number of items (documents, files) this task holds.
  virtual std::size_t num_items() const = 0;
  /// Return what `num_items` counts, as a plural noun with static storage (a string
  /// literal: executors keep the pointer): kDocumentsUnit, kFilesUnit; "" for a task
  /// that holds nothing. The default, kItemsUnit, is for types that name none.
  virtual const char* item_unit() const { return kItemsUnit; }
  /// Return true when the task's contents are consistent (columns of equal length...).
  virtual bool validate() const { return true; }

  const std::string& task_id() const { return task_id_; }
  void set_task_id(std::string id) { task_id_ = std::move(id); }
  const std::string& dataset_name() const { return dataset_name_; }
  void set_dataset_name(std::string name) { dataset_name_ = std::move(name); }

  /// Free-form metadata that stages pass downstream (source file, partition...).
  nlohmann::json& metadata() { return metadata_; }
  const nlohmann::json& metadata() const { return metadata_; }

  std::vector<StagePerfRecord>& stage_perf() { return stage_perf_; }
  const std::vector<StagePerfRecord>& stage_perf() const { return stage_perf_; }

  /// Copy id, dataset name, metadata and history from `parent`; used by stages that
  /// derive a new task from an input.
  void inherit_from(const Task& parent);

 protected:
  Task() = default;
  Task(std::string task_id, std::string dataset_name)
      : task_id_(std::move(task_id)), dataset_name_(std::move(dataset_name)) {}
  Task(const Task&) = default;
  Task& operator=(const Task&) = default;

 private:
  std::string task_id_;
  std::string dataset_name_;
  nlohmann::json metadata_ = nlohmann::json::object();
  std::vector<StagePerfRecord> stage_perf_;
};

using TaskPtr = std::shared_ptr<Task>;

/// The seed of a source stage: holds nothing. `Pipeline::run` starts with one.
class EmptyTask final : public Task {
 public:
  explicit EmptyTask(std::string task_id = "empty", std::string dataset_name = "")
      : Task(std::move(task_id), std::move(dataset_name)) {}
  std::string type_name() const override { return "EmptyTask"; }
  std::size_t num_items() const override { return 0; }
  const char* item_unit() const override { return ""; }
};

/// A group of input files that one reader call processes.
class FileGroupTask final : public Task {
 public:
  /// Name `files`; `file_ordinals`, when given, holds each file's index in the whole
  /// sorted input listing the group was cut from (one per file), which readers turn into
  /// position-based document ids.
  FileGroupTask(std::string task_id, std::string dataset_name, std::vector<std::string> files,
                std::vector<std::uint64_t> file_ordinals = {})
      : Task(std::move(task_id), std::move(dataset_name)),
        files_(std::move(files)),
        file_ordinals_(std::move(file_ordinals)) {}
  std::string type_name() const override { return "FileGroupTask"; }
  std::size_t num_items() const override { return files_.size(); }
  const char* item_unit() const override { return kFilesUnit; }
  bool validate() const override {
    return !files_.empty() && (file_ordinals_.empty() || file_ordinals_.size() == files_.size());
  }

  const std::vector<std::string>& files() const { return files_; }
  /// Return each file's index in the whole input listing, or nothing when unknown.
  const std::vector<std::uint64_t>& file_ordinals() const { return file_ordinals_; }

 private:
  std::vector<std::string> files_;
  std::vector<std::uint64_t> file_ordinals_;
};

}  // namespace curate
