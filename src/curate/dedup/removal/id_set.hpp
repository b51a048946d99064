#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace curate::dedup {

/// A set of byte strings (document ids) in one arena plus an open-addressing table of
/// (hash, offset, length): no allocation per id, about 24 bytes of table and the id's
/// own bytes per member. Filled by one thread, then read by any number concurrently.
class IdSet {
 public:
  /// Add `id` (copied); return false when it was already there.
  bool insert(std::string_view id);
  /// Return whether `id` is in the set.
  bool contains(std::string_view id) const;
  /// Return the number of ids.
  std::size_t size() const { return size_; }
  /// Return whether the set holds no id.
  bool empty() const { return size_ == 0; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint64_t offset = 0;
    std::uint32_t length = 0;
    bool used = false;
  };
  std::size_t find(std::string_view id, std::uint64_t hash) const;
  void grow();

  std::string arena_;
  std::vector<Slot> slots_;  // a power of two, at most half full
  std::size_t size_ = 0;
};

}  // namespace curate::dedup
