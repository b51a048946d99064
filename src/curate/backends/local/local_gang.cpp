#include "curate/backends/local/local_gang.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace curate::backends::local {

std::shared_ptr<LocalGangGroup> LocalGangGroup::create(int size) {
  return std::shared_ptr<LocalGangGroup>(new LocalGangGroup(size));
}

LocalGangGroup::LocalGangGroup(int size)
    : barrier_(size), sums_(barrier_.parties()), mailboxes_(barrier_.parties()) {}

std::shared_ptr<curate::Gang> LocalGangGroup::member(int index) {
  if (index < 0 || index >= size()) {
    throw std::out_of_range(fmt::format("gang member {} out of range [0, {})", index, size()));
  }
  return std::make_shared<LocalGangMember>(shared_from_this(), index);
}

void LocalGangGroup::abort(const std::string& reason) {
  barrier_.cancel(fmt::format("gang aborted: {}", reason));
}

LocalGangMember::LocalGangMember(std::shared_ptr<LocalGangGroup> group, int index)
    : group_(std::move(group)), index_(index) {}

void LocalGangMember::barrier() { group_->barrier_.arrive_and_wait(); }

// Every collective is "write own slot, barrier, read all slots, barrier": the second
// barrier keeps a fast member's next collective from overwriting a slot that a slow
// member is still reading.
void LocalGangMember::all_reduce_sum(std::span<int64_t> values) {
  auto& group = *group_;
  group.sums_[index_].assign(values.begin(), values.end());
  group.barrier_.arrive_and_wait();
  for (std::size_t member = 0; member < group.sums_.size(); ++member) {
    // Every member sees the same slots, so all of them throw together: none is left
    // waiting at the next barrier.
    if (group.sums_[member].size() != values.size()) {
      throw std::invalid_argument(
          fmt::format("gang all_reduce_sum: member {} passed {} values but member {} passed {}",
                      member, group.sums_[member].size(), index_, values.size()));
    }
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    int64_t sum = 0;
    for (const auto& contribution : group.sums_) sum += contribution[i];
    values[i] = sum;
  }
  group.barrier_.arrive_and_wait();
}

std::vector<std::string> LocalGangMember::all_to_all(std::vector<std::string> outgoing) {
  auto& group = *group_;
  if (outgoing.size() != static_cast<std::size_t>(size())) {
    throw std::invalid_argument(
        fmt::format("gang all_to_all: member {} passed {} messages for a gang of {}", index_,
                    outgoing.size(), size()));
  }
  group.mailboxes_[index_] = std::move(outgoing);
  group.barrier_.arrive_and_wait();
  std::vector<std::string> incoming(group.mailboxes_.size());
  // Each receiver moves only its own column of the mailboxes: no two threads touch the
  // same string.
  for (std::size_t sender = 0; sender < group.mailboxes_.size(); ++sender) {
    incoming[sender] = std::move(group.mailboxes_[sender][index_]);
  }
  group.barrier_.arrive_and_wait();
  return incoming;
}

void LocalGangMember::abort(const std::string& reason) { group_->abort(reason); }

}  // namespace curate::backends::local
