#pragma once

#include "curate/backends/local/cancellable_barrier.hpp"
#include "curate/core/gang.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace curate::backends::local {

/// The shared state of one in-process gang: the barrier its members meet at and the
/// slots they exchange data through. The LocalExecutor creates one per raft-actor stage
/// per run and hands `member(i)` to the stage's i-th instance. Thread-safe.
class LocalGangGroup : public std::enable_shared_from_this<LocalGangGroup> {
 public:
  /// Create a group of `size` members (at least 1); use through a shared_ptr.
  static std::shared_ptr<LocalGangGroup> create(int size);

  /// Return the Gang handle of member `index`, in [0, size()). Called by the executor
  /// once per member before the members start.
  std::shared_ptr<curate::Gang> member(int index);

  /// Release every member blocked in a collective (they throw std::runtime_error with
  /// `reason`) and make later collectives throw at once. Idempotent; any thread.
  void abort(const std::string& reason);

  /// Return the number of members.
  int size() const { return barrier_.parties(); }

 private:
  friend class LocalGangMember;
  explicit LocalGangGroup(int size);

  CancellableBarrier barrier_;
  std::vector<std::vector<int64_t>> sums_;           // one contribution per member
  std::vector<std::vector<std::string>> mailboxes_;  // mailboxes_[sender][receiver]
};

/// One member's view of a LocalGangGroup: the curate::Gang a raft-actor stage instance
/// receives in `WorkerMetadata::gang`. Used by that instance's thread only.
class LocalGangMember final : public curate::Gang {
 public:
  /// Bind member `index` of `group`; created by `LocalGangGroup::member`.
  LocalGangMember(std::shared_ptr<LocalGangGroup> group, int index);

  int index() const override { return index_; }
  int size() const override { return group_->size(); }
  void barrier() override;
  void all_reduce_sum(std::span<int64_t> values) override;
  std::vector<std::string> all_to_all(std::vector<std::string> outgoing) override;
  void abort(const std::string& reason) override;

 private:
  std::shared_ptr<LocalGangGroup> group_;
  int index_;
};

}  // namespace curate::backends::local
