#pragma once

#include <string>
#include <string_view>

namespace curate::dedup {

/// LSH banding of a MinHash signature: num_bands bands of minhashes_per_band values
/// each (b x r), so the signature has b * r values. Two documents become candidates
/// when all r values of at least one band agree.
struct LshParams {
  int num_bands;
  int minhashes_per_band;
  /// Return b * r, the signature length the banding needs.
  constexpr int num_hashes() const { return num_bands * minhashes_per_band; }
  friend constexpr bool operator==(const LshParams&, const LshParams&) = default;
};

/// NeMo Curator's default: 20 bands x 13 rows of 260 hashes (threshold about 0.79).
inline constexpr LshParams kNemoCuratorLsh{20, 13};
/// datatrove's (FineWeb's) default: 14 bands x 8 rows of 112 hashes (about 0.72).
inline constexpr LshParams kDatatroveLsh{14, 8};

/// Return P(candidate) = 1 - (1 - j^r)^b for a pair of Jaccard similarity `jaccard`
/// (clamped to [0, 1]). Pure; callable from any thread.
double candidate_probability(double jaccard, LshParams params);

/// Choose bands x rows for a Jaccard `threshold`: among all b * r <= max_hashes whose
/// P(candidate at threshold) >= min_probability, return the one with the lowest
/// P(candidate at threshold - 0.1) (fewest false candidates); ties go to fewer hashes.
/// Throws std::invalid_argument for a threshold outside (0, 1], a min_probability
/// outside (0, 1], max_hashes < 1, or when nothing qualifies (the message names the
/// smallest max_hashes that would work). Called once per configuration.
LshParams choose_lsh_params(double threshold, double min_probability = 0.99, int max_hashes = 260);

/// Return the parameters of a preset: "nemo_curator" or "datatrove". Throws
/// std::invalid_argument naming the valid presets for any other name.
LshParams lsh_preset(std::string_view name);

/// Return the one-line S-curve summary for `curate describe`, e.g.
/// "LSH 20 bands x 13 rows (260 hashes): P(candidate) 0.119 at J=0.70, 0.945 at J=0.80
/// (threshold), 1.000 at J=0.90".
std::string describe_s_curve(double threshold, LshParams params);

}  // namespace curate::dedup
