#include "curate/backends/local/item_sink.hpp"

#include <algorithm>

namespace curate::backends::local {

bool ResultSink::push(int worker, Item item) {
  const auto index = static_cast<std::size_t>(worker);
  if (discard_) {
    ++discarded_[index].value;
  } else {
    per_worker_[index].push_back(std::move(item));
  }
  return true;
}

std::size_t ResultSink::count() const {
  std::size_t total = 0;
  for (const auto& list : per_worker_) total += list.size();
  for (const auto& discarded : discarded_) total += discarded.value;
  return total;
}

std::vector<TaskPtr> ResultSink::take_ordered() {
  const auto by_key = [](const Item& a, const Item& b) { return a.key < b.key; };
  std::vector<Item> all;
  std::size_t total = 0;
  for (const auto& list : per_worker_) total += list.size();
  all.reserve(total);
  // Sorted runs, one per worker, merged pairwise so the cost is O(n log workers) and
  // not O(n log n) for the common, already sorted case.
  std::vector<std::size_t> bounds{0};
  for (auto& list : per_worker_) {
    if (list.empty()) continue;
    if (!std::is_sorted(list.begin(), list.end(), by_key)) {
      std::sort(list.begin(), list.end(), by_key);
    }
    std::move(list.begin(), list.end(), std::back_inserter(all));
    bounds.push_back(all.size());
    list = {};
  }
  while (bounds.size() > 2) {
    std::vector<std::size_t> merged{0};
    for (std::size_t i = 2; i < bounds.size(); i += 2) {
      std::inplace_merge(all.begin() + static_cast<std::ptrdiff_t>(bounds[i - 2]),
                         all.begin() + static_cast<std::ptrdiff_t>(bounds[i - 1]),
                         all.begin() + static_cast<std::ptrdiff_t>(bounds[i]), by_key);
      merged.push_back(bounds[i]);
    }
    if (bounds.size() % 2 == 0) merged.push_back(bounds.back());
    bounds = std::move(merged);
  }
  std::vector<TaskPtr> tasks;
  tasks.reserve(all.size());
  for (auto& item : all) tasks.push_back(std::move(item.task));
  return tasks;
}

}  // namespace curate::backends::local
