#pragma once

#include "curate/dedup/fuzzy/lsh_params.hpp"
#include "curate/dedup/fuzzy/minhash.hpp"
#include "curate/dedup/fuzzy/shingler.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace curate::dedup {

/// Everything the fuzzy stages agree on: how documents are shingled and sketched, how
/// sketches are banded, and when two documents count as near duplicates. The stages of
/// one run must be built from the same options (the workflow does that).
struct FuzzyOptions {
  ShingleOptions shingles;  ///< word 5-grams by default
  SketchKind sketch = SketchKind::kOnePermutation;
  /// num_bands x minhashes_per_band; unset: chosen from the threshold so that a pair
  /// exactly at it becomes a candidate with probability >= 0.99 (choose_lsh_params).
  std::optional<LshParams> lsh;
  int bands_per_iteration = 5;     ///< LSH band window (memory bound)
  uint64_t seed = 42;              ///< NeMo Curator's default seed
  bool use_64_bit_hash = false;    ///< NeMo Curator's 32-bit default
  double jaccard_threshold = 0.8;  ///< verified pairs at or above are duplicates
  int num_partitions = 64;         ///< shuffle partitions
  std::string text_field = "text";
  std::string id_field = "id";

  /// Return a copy with `lsh` set (chosen from the threshold when unset) and every
  /// option checked; throws std::invalid_argument naming the one out of range.
  FuzzyOptions resolved() const;
  /// Return the banding; `lsh` must be set (see `resolved`).
  const LshParams& bands() const { return lsh.value(); }
  int num_hashes() const { return bands().num_bands * bands().minhashes_per_band; }
};

/// Return every option as JSON (enums by name, `lsh` as [bands, rows] or null): the
/// parameters of the fuzzy stages' descriptions. `fuzzy_options_from_json` reads it
/// back exactly (doubles round-trip).
nlohmann::json fuzzy_options_to_json(const FuzzyOptions& options);
/// Read what `fuzzy_options_to_json` wrote; throws std::invalid_argument naming the key.
FuzzyOptions fuzzy_options_from_json(const nlohmann::json& json);

}  // namespace curate::dedup
