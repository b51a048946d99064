#include "curate/dedup/removal/id_set.hpp"

#include <xxhash.h>

#include <limits>
#include <stdexcept>

namespace curate::dedup {

std::size_t IdSet::find(std::string_view id, std::uint64_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (!slot.used) return i;
    if (slot.hash == hash && slot.length == id.size() &&
        std::string_view(arena_).substr(slot.offset, slot.length) == id) {
      return i;
    }
  }
}

void IdSet::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (!slot.used) continue;
    std::size_t i = slot.hash & mask;
    while (slots_[i].used) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

bool IdSet::insert(std::string_view id) {
  if (id.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::invalid_argument("an id longer than 4 GiB cannot be stored");
  }
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const std::uint64_t hash = XXH3_64bits(id.data(), id.size());
  Slot& slot = slots_[find(id, hash)];
  if (slot.used) return false;
  slot = Slot{hash, arena_.size(), static_cast<std::uint32_t>(id.size()), true};
  arena_.append(id);
  ++size_;
  return true;
}

bool IdSet::contains(std::string_view id) const {
  if (size_ == 0) return false;
  return slots_[find(id, XXH3_64bits(id.data(), id.size()))].used;
}

}  // namespace curate::dedup
