#pragma once

#include <cstdint>
#include <span>

#include "curate/dedup/fuzzy/lsh_params.hpp"

namespace curate::dedup {

/// Write one 64-bit bucket id per band into `out` (size num_bands): XXH3_64bits of the
/// band's minhashes_per_band values (8 little-endian bytes each), with the band index
/// mixed into the seed, so equal bands give equal ids and the same values in different
/// bands give different ids. signature.size() must equal b * r and out.size() b
/// (std::invalid_argument otherwise). No allocation; callable from any thread.
void band_buckets(std::span<const uint64_t> signature, LshParams params, std::span<uint64_t> out);

/// Return the bucket id of band `band` alone (as band_buckets writes it), for stages
/// that process bands a window at a time.
uint64_t band_bucket(std::span<const uint64_t> signature, LshParams params, int band);

}  // namespace curate::dedup
