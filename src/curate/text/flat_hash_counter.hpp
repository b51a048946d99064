#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace curate::text {

/// Count occurrences of 64-bit keys (already well-mixed hashes) in an open-addressing
/// table that is reused across documents: `clear` forgets every key in O(1) by bumping
/// an epoch, and the table grows to the largest document seen but only the part sized
/// for the current one is probed. Not thread-safe: one per AnalyzedDocument.
class FlatHashCounter {
 public:
  /// Forget all keys and prepare room for up to `max_keys` distinct keys. Called before
  /// each use (per document and statistic).
  void clear(std::size_t max_keys) {
    std::size_t capacity = 16;
    while (capacity < max_keys * 2) capacity <<= 1;
    if (slots_.size() < capacity) slots_.resize(capacity);
    mask_ = capacity - 1;
    if (++epoch_ == 0) {  // wrapped after 2^32 clears: really empty the table once
      for (Slot& slot : slots_) slot.epoch = 0;
      epoch_ = 1;
    }
  }

  /// Add one occurrence of `key` and return the index of its slot; `count_at(slot)`
  /// then gives its count so far. At most `max_keys` distinct keys may be added.
  std::size_t add(uint64_t key) {
    std::size_t index = static_cast<std::size_t>(key) & mask_;
    for (;;) {
      Slot& slot = slots_[index];
      if (slot.epoch != epoch_) {
        slot = Slot{key, epoch_, 1};
        return index;
      }
      if (slot.key == key) {
        ++slot.count;
        return index;
      }
      index = (index + 1) & mask_;
    }
  }

  /// Return the count of `key`, 0 when it was never added since the last `clear`.
  uint32_t count(uint64_t key) const {
    std::size_t index = static_cast<std::size_t>(key) & mask_;
    for (;;) {
      const Slot& slot = slots_[index];
      if (slot.epoch != epoch_) return 0;
      if (slot.key == key) return slot.count;
      index = (index + 1) & mask_;
    }
  }

  /// Return the count stored in a slot returned by `add`.
  uint32_t count_at(std::size_t slot) const { return slots_[slot].count; }

 private:
  struct Slot {
    uint64_t key = 0;
    uint32_t epoch = 0;
    uint32_t count = 0;
  };
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  uint32_t epoch_ = 0;
};

/// Finish a 64-bit hash so that every input bit affects the low bits used as a table
/// index (MurmurHash3's fmix64).
constexpr uint64_t mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

}  // namespace curate::text
