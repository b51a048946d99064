#pragma once

#include <cstdint>
#include <span>

namespace curate::dedup {

/// Return the exact Jaccard similarity |A ∩ B| / |A ∪ B| of two sorted sets without
/// repeats (Shingler::hash_set output), 1.0 when both are empty. One merge pass, no
/// allocation; callable from any thread.
double jaccard(std::span<const uint64_t> a, std::span<const uint64_t> b);

/// Return |A ∩ B| of two sorted sets without repeats. Callable from any thread.
std::size_t intersection_size(std::span<const uint64_t> a, std::span<const uint64_t> b);

}  // namespace curate::dedup
