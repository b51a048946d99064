#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace curate::backends {

/// The metadata key filter stages use to report what they dropped: an object
/// {reason: count} on an output task. The executor moves it into the stage's stats after
/// every call (and erases it from the task), so each count is attributed once, to the
/// stage that set it, even when later stages copy metadata. A stage that drops every row
/// of a batch should still return the (empty) batch so that its counts are seen.
inline constexpr const char* kDroppedByReasonKey = "dropped_by_reason";

/// Return the unit of a count that has `seen` ("" for none yet) and now adds items in
/// `unit` ("" changes nothing): as curate::merge_item_unit, for stored units. Pure.
std::string merge_unit_name(const std::string& seen, const std::string& unit);

/// What one stage did during a run, summed over its workers. Items are counted in the
/// unit of the tasks that held them (Task::item_unit): file_partitioning gives files, a
/// reader takes files and gives documents, a writer takes documents and gives files.
/// Filled by an executor; plain value type.
struct StageStats {
  std::string name;             ///< the stage's name, as in the pipeline
  int workers = 0;              ///< worker threads (gang members, for raft-actor stages)
  std::uint64_t instances = 0;  ///< stage instances set up (more than workers when recycled)
  std::uint64_t calls = 0;      ///< process_batch, route and reduce calls
  std::uint64_t tasks_in = 0;   ///< tasks the stage consumed
  std::uint64_t tasks_out = 0;  ///< tasks it produced (nulls not counted)
  std::uint64_t items_in = 0;   ///< sum of the input tasks' num_items(), in `unit_in`
  std::string unit_in;          ///< "documents", "files", "items" (mixed); "" for none
  std::uint64_t items_out = 0;  ///< sum of the output tasks' num_items(), in `unit_out`
  std::string unit_out;         ///< as `unit_in`, for the outputs
  std::map<std::string, std::uint64_t> dropped_by_reason;  ///< see kDroppedByReasonKey
  double process_time_s = 0.0;                             ///< summed over workers
  double idle_time_s = 0.0;  ///< summed over workers: waiting for input
  double wall_time_s = 0.0;  ///< first call's start to last call's end

  /// Return the documents the stage took: `items_in` when they are documents, else 0.
  std::uint64_t documents_in() const;
  /// Return the documents the stage gave: `items_out` when they are documents, else 0.
  std::uint64_t documents_out() const;
  /// Return true when documents went in or out (a reader, a filter, a writer).
  bool moves_documents() const;
  /// Return the documents handled per second of wall time, counting the larger of
  /// documents in and out (a reader takes files and gives documents); 0 when no time
  /// passed or no documents flow (see `moves_documents`).
  double throughput_documents_per_s() const;
  /// Add `other`'s counters, times and workers; the wall time becomes the larger of the
  /// two. Used to reduce the stats of ranks running the same stage.
  void merge(const StageStats& other);
};

/// Statistics of one executor run: one entry per stage, in pipeline order. Produced by
/// `LocalExecutor::last_run_stats()` (and reduced across ranks by the MPI executor);
/// written by the CLI as the run's `stats.json`.
struct RunStats {
  std::string executor;            ///< "LocalExecutor", ...
  double wall_time_s = 0.0;        ///< from the first worker's start to the last one's end
  std::uint64_t input_tasks = 0;   ///< initial tasks given to the executor
  std::uint64_t output_tasks = 0;  ///< the last stage's outputs (returned or discarded)
  bool succeeded = false;
  bool cancelled = false;          ///< the run was stopped through its CancellationToken
  std::string error;               ///< the first error's message when the run failed
  std::vector<StageStats> stages;  ///< in pipeline order

  /// Return the stats as JSON: {"executor", "wall_time_s", "input_tasks", "output_tasks",
  /// "succeeded", "cancelled", "error", "stages": [{name, workers, instances, calls,
  /// tasks_in, tasks_out, items_in, items_in_unit, items_out, items_out_unit,
  /// documents_in, documents_out, dropped_by_reason, process_time_s, idle_time_s,
  /// wall_time_s, throughput_documents_per_s}, ...]}. A unit is null when no item came;
  /// documents_* count documents only; the throughput is null where no documents flow.
  /// Pure; callable from any thread.
  nlohmann::json to_json() const;
  /// Rebuild stats from `to_json()` output (ranks send their stats to rank 0 this way).
  /// Throws nlohmann::json::exception on a missing or mistyped field.
  static RunStats from_json(const nlohmann::json& json);
  /// Merge another run's stats stage by stage (same stages in the same order, else
  /// std::invalid_argument); the wall time is the maximum.
  void merge(const RunStats& other);
  /// Return a short fixed-width table for the terminal: one line per stage with tasks
  /// in/out, items in > out with their units ("4 files > 2000 docs"), drops, process
  /// time, wall time and documents per second ("-" where no documents flow).
  std::string to_table() const;
};

/// A live view of one stage during a run, for progress display. Items are in the units
/// StageStats describes.
struct StageProgress {
  std::string name;              ///< the stage's name, as in the pipeline
  int workers = 0;               ///< worker threads of the stage
  std::uint64_t tasks_done = 0;  ///< input tasks processed so far
  std::uint64_t tasks_out = 0;   ///< output tasks so far
  std::uint64_t items_in = 0;    ///< items of the input tasks processed so far
  std::string unit_in;           ///< their unit ("" before the first)
  std::uint64_t items_out = 0;   ///< items of the output tasks so far
  std::string unit_out;          ///< their unit ("" before the first)
  std::size_t queue_depth = 0;   ///< tasks waiting in the stage's input queue

  /// Return the larger of the documents in and out so far (0 where none flow).
  std::uint64_t documents() const;
};

/// Return `count` with its unit for a table: "2000 docs", "1 file", "-" for nothing,
/// "12 items" when the unit is unknown. Large counts are compacted ("1.20M docs"). Pure.
std::string format_item_count(std::uint64_t count, const std::string& unit);

}  // namespace curate::backends
