#include "curate/dedup/fuzzy/fuzzy_options.hpp"

#include <stdexcept>
#include <string>

namespace curate::dedup {

FuzzyOptions FuzzyOptions::resolved() const {
  auto fail = [](const std::string& message) {
    throw std::invalid_argument("fuzzy dedup: " + message);
  };
  if (!(jaccard_threshold > 0.0 && jaccard_threshold <= 1.0)) {
    fail("jaccard_threshold must be in (0, 1] (got " + std::to_string(jaccard_threshold) + ")");
  }
  FuzzyOptions out = *this;
  if (!out.lsh) out.lsh = choose_lsh_params(jaccard_threshold);
  if (shingles.n < 1)
    fail("the shingle size must be at least 1 (got " + std::to_string(shingles.n) + ")");
  const LshParams& lsh = *out.lsh;
  if (lsh.num_bands < 1 || lsh.minhashes_per_band < 1) {
    fail("num_bands and minhashes_per_band must be at least 1 (got " +
         std::to_string(lsh.num_bands) + " x " + std::to_string(lsh.minhashes_per_band) + ")");
  }
  // A window larger than the bands is one window: NeMo Curator accepts that too.
  if (bands_per_iteration < 1) {
    fail("bands_per_iteration must be at least 1 (got " + std::to_string(bands_per_iteration) +
         ")");
  }
  if (num_partitions < 1)
    fail("num_partitions must be at least 1 (got " + std::to_string(num_partitions) + ")");
  if (text_field.empty()) fail("text_field must not be empty");
  if (id_field.empty()) fail("id_field must not be empty");
  return out;
}

}  // namespace curate::dedup
