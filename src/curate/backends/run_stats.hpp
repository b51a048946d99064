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

/// What one stage did during a run, summed over its workers. Filled by an executor; plain
/// value type.
struct StageStats {
  std::string name;                 ///< the stage's name, as in the pipeline
  int workers = 0;                  ///< worker threads (gang members, for raft-actor stages)
  std::uint64_t instances = 0;      ///< stage instances set up (more than workers when recycled)
  std::uint64_t calls = 0;          ///< process_batch, route and reduce calls
  std::uint64_t tasks_in = 0;       ///< tasks the stage consumed
  std::uint64_t tasks_out = 0;      ///< tasks it produced (nulls not counted)
  std::uint64_t documents_in = 0;   ///< sum of the input tasks' num_items()
  std::uint64_t documents_out = 0;  ///< sum of the output tasks' num_items()
  std::map<std::string, std::uint64_t> dropped_by_reason;  ///< see kDroppedByReasonKey
  double process_time_s = 0.0;                             ///< summed over workers
  double idle_time_s = 0.0;  ///< summed over workers: waiting for input
  double wall_time_s = 0.0;  ///< first call's start to last call's end

  /// Return the documents handled per second of wall time, counting the larger of
  /// documents in and out (a reader's input is a few file groups, its output the
  /// documents); 0 when no time passed.
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
  std::string error;               ///< the first error's message when the run failed
  std::vector<StageStats> stages;  ///< in pipeline order

  /// Return the stats as JSON: {"executor", "wall_time_s", "input_tasks", "output_tasks",
  /// "succeeded", "error", "stages": [{name, workers, instances, calls, tasks_in, tasks_out,
  /// documents_in, documents_out, dropped_by_reason, process_time_s, idle_time_s,
  /// wall_time_s, throughput_documents_per_s}, ...]}. Pure; callable from any thread.
  nlohmann::json to_json() const;
  /// Rebuild stats from `to_json()` output (ranks send their stats to rank 0 this way).
  /// Throws nlohmann::json::exception on a missing or mistyped field.
  static RunStats from_json(const nlohmann::json& json);
  /// Merge another run's stats stage by stage (same stages in the same order, else
  /// std::invalid_argument); the wall time is the maximum.
  void merge(const RunStats& other);
  /// Return a short fixed-width table for the terminal: one line per stage with tasks
  /// and documents in/out, drops, process time, wall time and throughput.
  std::string to_table() const;
};

/// A live view of one stage during a run, for progress display.
struct StageProgress {
  std::string name;                  ///< the stage's name, as in the pipeline
  int workers = 0;                   ///< worker threads of the stage
  std::uint64_t tasks_done = 0;      ///< input tasks processed so far
  std::uint64_t documents_done = 0;  ///< input documents processed so far
  std::uint64_t tasks_out = 0;       ///< output tasks so far
  std::size_t queue_depth = 0;       ///< tasks waiting in the stage's input queue
};

}  // namespace curate::backends
