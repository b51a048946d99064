#include "curate/dedup/fuzzy/lsh_params.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace curate::dedup {
namespace {

// Relative tolerance under which two false-candidate rates count as a tie.
constexpr double kTieTolerance = 1e-12;

struct Preset {
  std::string_view name;
  LshParams params;
};
constexpr Preset kPresets[] = {{"nemo_curator", kNemoCuratorLsh}, {"datatrove", kDatatroveLsh}};

// The fewest hashes that can reach `min_probability` at `threshold`: with one row per
// band P grows fastest in the number of hashes, since t^r only shrinks as r grows.
long long smallest_budget(double threshold, double min_probability) {
  if (threshold >= 1.0) return 1;
  if (min_probability >= 1.0) return -1;  // only a threshold of 1 reaches certainty
  return static_cast<long long>(std::ceil(std::log1p(-min_probability) / std::log1p(-threshold)));
}

}  // namespace

double candidate_probability(double jaccard, LshParams params) {
  const double j = std::clamp(jaccard, 0.0, 1.0);
  const double band = std::pow(j, params.minhashes_per_band);
  // 1 - (1 - p)^b through log1p/expm1 so tiny per-band probabilities keep their digits.
  if (band >= 1.0) return 1.0;
  return -std::expm1(params.num_bands * std::log1p(-band));
}

LshParams choose_lsh_params(double threshold, double min_probability, int max_hashes) {
  if (!(threshold > 0.0 && threshold <= 1.0)) {
    throw std::invalid_argument(
        fmt::format("LSH threshold must be in (0, 1] (got {}); use e.g. 0.8", threshold));
  }
  if (!(min_probability > 0.0 && min_probability <= 1.0)) {
    throw std::invalid_argument(fmt::format(
        "LSH min_probability must be in (0, 1] (got {}); use e.g. 0.99", min_probability));
  }
  if (max_hashes < 1) {
    throw std::invalid_argument(
        fmt::format("LSH max_hashes must be at least 1 (got {})", max_hashes));
  }
  bool found = false;
  LshParams best{0, 0};
  double best_false = 0.0;
  for (int rows = 1; rows <= max_hashes; ++rows) {
    for (int bands = 1; bands * rows <= max_hashes; ++bands) {
      const LshParams candidate{bands, rows};
      if (candidate_probability(threshold, candidate) < min_probability) continue;
      const double false_rate = candidate_probability(threshold - 0.1, candidate);
      const bool tie = found && std::abs(false_rate - best_false) <=
                                    kTieTolerance * std::max(false_rate, best_false);
      if (!found || (!tie && false_rate < best_false) ||
          (tie && candidate.num_hashes() < best.num_hashes())) {
        found = true;
        best = candidate;
        best_false = false_rate;
      }
    }
  }
  if (!found) {
    const long long needed = smallest_budget(threshold, min_probability);
    if (needed < 0) {
      throw std::invalid_argument(fmt::format(
          "no LSH bands x rows reaches P(candidate) >= {} at threshold {}: only threshold 1 "
          "does; lower min_probability",
          min_probability, threshold));
    }
    throw std::invalid_argument(fmt::format(
        "no LSH bands x rows within max_hashes = {} reaches P(candidate) >= {} at threshold {}; "
        "raise max_hashes to at least {} or lower min_probability",
        max_hashes, min_probability, threshold, needed));
  }
  return best;
}

LshParams lsh_preset(std::string_view name) {
  for (const Preset& preset : kPresets) {
    if (preset.name == name) return preset.params;
  }
  throw std::invalid_argument(
      fmt::format("unknown LSH preset '{}'; valid presets: nemo_curator (20 bands x 13 rows), "
                  "datatrove (14 bands x 8 rows)",
                  name));
}

std::string describe_s_curve(double threshold, LshParams params) {
  return fmt::format(
      "LSH {} bands x {} rows ({} hashes): P(candidate) {:.3f} at J={:.2f}, {:.3f} at J={:.2f} "
      "(threshold), {:.3f} at J={:.2f}",
      params.num_bands, params.minhashes_per_band, params.num_hashes(),
      candidate_probability(threshold - 0.1, params), std::max(threshold - 0.1, 0.0),
      candidate_probability(threshold, params), threshold,
      candidate_probability(threshold + 0.1, params), std::min(threshold + 0.1, 1.0));
}

}  // namespace curate::dedup
