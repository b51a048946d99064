#include "curate/dedup/fuzzy/jaccard.hpp"

namespace curate::dedup {

std::size_t intersection_size(std::span<const uint64_t> a, std::span<const uint64_t> b) {
  std::size_t common = 0;
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() && j < b.size()) {
    const uint64_t x = a[i];
    const uint64_t y = b[j];
    // Branch-free steps: equal advances both, otherwise the smaller side.
    common += x == y;
    i += x <= y;
    j += y <= x;
  }
  return common;
}

double jaccard(std::span<const uint64_t> a, std::span<const uint64_t> b) {
  if (a.empty() && b.empty()) return 1.0;
  const std::size_t common = intersection_size(a, b);
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

}  // namespace curate::dedup
