#include "curate/dedup/fuzzy/band_buckets.hpp"

#define XXH_INLINE_ALL
#include <fmt/format.h>
#include <xxhash.h>

#include <stdexcept>

namespace curate::dedup {
namespace {

// A fixed odd constant spreads consecutive band indices over the seed space.
constexpr uint64_t kBandSeedStep = 0x9E3779B97F4A7C15ULL;

void check_signature(std::size_t size, LshParams params) {
  if (params.num_bands < 1 || params.minhashes_per_band < 1) {
    throw std::invalid_argument(fmt::format("LSH needs at least 1 band of 1 row (got {} x {})",
                                            params.num_bands, params.minhashes_per_band));
  }
  if (size != static_cast<std::size_t>(params.num_hashes())) {
    throw std::invalid_argument(fmt::format(
        "signature has {} values but LSH {} bands x {} rows needs {}; make num_hashes = b * r",
        size, params.num_bands, params.minhashes_per_band, params.num_hashes()));
  }
}

uint64_t hash_band(const uint64_t* signature, int rows, int band) {
  const uint64_t* first = signature + static_cast<std::size_t>(band) * rows;
  return XXH3_64bits_withSeed(first, static_cast<std::size_t>(rows) * sizeof(uint64_t),
                              (static_cast<uint64_t>(band) + 1) * kBandSeedStep);
}

}  // namespace

void band_buckets(std::span<const uint64_t> signature, LshParams params, std::span<uint64_t> out) {
  check_signature(signature.size(), params);
  if (out.size() != static_cast<std::size_t>(params.num_bands)) {
    throw std::invalid_argument(fmt::format("band_buckets: output has {} slots for {} bands",
                                            out.size(), params.num_bands));
  }
  for (int band = 0; band < params.num_bands; ++band) {
    out[static_cast<std::size_t>(band)] =
        hash_band(signature.data(), params.minhashes_per_band, band);
  }
}

uint64_t band_bucket(std::span<const uint64_t> signature, LshParams params, int band) {
  check_signature(signature.size(), params);
  if (band < 0 || band >= params.num_bands) {
    throw std::invalid_argument(
        fmt::format("band {} out of range: LSH has {} bands", band, params.num_bands));
  }
  return hash_band(signature.data(), params.minhashes_per_band, band);
}

}  // namespace curate::dedup
