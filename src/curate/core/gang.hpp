#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace curate {

/// Let the N instances of a raft-actor stage (`is_raft_actor`) cooperate: each knows its
/// index and the gang size, and all can meet at a barrier, sum counters and exchange
/// bytes. The executor creates one Gang per stage and hands it to every instance through
/// `WorkerMetadata::gang`. Every member must call each collective in the same order;
/// the calls block until all members arrived. A member that fails calls `abort()` so the
/// others are released with an exception instead of waiting forever.
class Gang {
 public:
  virtual ~Gang() = default;

  /// Return this member's index in [0, size()).
  virtual int index() const = 0;
  /// Return the number of members.
  virtual int size() const = 0;
  /// Block until every member arrived.
  virtual void barrier() = 0;
  /// Replace `values` on every member by the element-wise sum over all members.
  virtual void all_reduce_sum(std::span<int64_t> values) = 0;
  /// Send `outgoing[i]` to member i and return what every member sent to this one,
  /// indexed by sender.
  virtual std::vector<std::string> all_to_all(std::vector<std::string> outgoing) = 0;
  /// Release every member blocked in a collective with an error; called on failure.
  virtual void abort(const std::string& reason) = 0;
};

}  // namespace curate
