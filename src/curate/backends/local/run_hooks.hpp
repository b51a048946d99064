#pragma once

#include "curate/core/gang.hpp"
#include "curate/core/row_block.hpp"
#include "curate/core/task.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace curate::backends::local {

/// The rows one route call sent to one partition, tagged with the order key of the input
/// they came from, so a reducer restores input order by sorting on the key.
struct RoutedChunk {
  std::string key;
  curate::RowBlock rows;
};

/// Moves a shuffle stage's routed rows between processes, so that each partition is
/// reduced by exactly one of them (the MPI executor: partition p on one rank). Called by
/// one worker of the shuffle segment per round, after every local worker routed all of
/// its input and before any reduces; may throw (the run then fails).
class ShuffleExchange {
 public:
  virtual ~ShuffleExchange() = default;
  /// Return true when this process reduces `partition`. Any thread; pure.
  virtual bool reduces(int partition) const = 0;
  /// Send the chunks of every partition this process does not reduce to the process
  /// that does (removing them from `routed`, indexed [worker][partition]), and append
  /// the chunks received for the partitions it reduces to `routed[0]`.
  virtual void exchange(int round, std::vector<std::vector<std::vector<RoutedChunk>>>& routed) = 0;
};

/// What another executor built on LocalRun (the MPI executor, one LocalRun per rank)
/// changes in a run. Every member is optional; an empty RunHooks is a plain local run.
struct RunHooks {
  /// Pull source tasks one at a time instead of taking the initial tasks: set `task` and
  /// `index` (the task's position in the whole job: its order key) and return true, or
  /// return false when no task is left. Called by one feeder thread of the run, until it
  /// returns false or the run fails; may block; may throw (the run then fails).
  std::function<bool(TaskPtr& task, std::uint32_t& index)> feed;
  /// Return the exchange of the shuffle segment whose first stage is plan stage `stage`
  /// (null: all partitions local). Called once per shuffle segment when the run is made.
  std::function<std::shared_ptr<ShuffleExchange>(std::size_t stage)> shuffle_exchange;
  /// Return the Gang of the single local member of the raft-actor stage `stage` (null:
  /// an in-process gang of the segment's workers). The segment must have 1 worker.
  std::function<std::shared_ptr<curate::Gang>(std::size_t stage)> gang;
  /// Return false when this process holds no member of the raft-actor stage `stage` (the
  /// MPI executor's head-node ranks under ignore_head_node): its segment's one worker
  /// then makes no instance and fails the run if any task reaches it (upstream must send
  /// such a process none). Unset: every process holds a member. Called once per gang
  /// segment when the run is made.
  std::function<bool(std::size_t stage)> holds_gang_member;
  /// Called once with the reason when the run fails or is cancelled, from the failing
  /// thread, so the other processes are told.
  std::function<void(const std::string& reason)> on_failure;
};

}  // namespace curate::backends::local
