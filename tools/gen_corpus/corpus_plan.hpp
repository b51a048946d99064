#pragma once

#include <cstdint>
#include <vector>

#include "random.hpp"
#include "text_generator.hpp"

namespace curate::tools {

/// What one position of the corpus holds.
enum class DocumentKind : std::uint8_t { kOriginal, kLowQuality, kExactCopy, kNearCopy };

/// The plan for one corpus position, as CorpusPlan::next() decides it.
struct PlannedDocument {
  DocumentKind kind = DocumentKind::kOriginal;
  Quality quality = Quality::kGood;  // the low-quality kind, or kGood
  std::uint64_t source = 0;          // for copies: the position of the original copied
  double edit_rate = 0.0;            // for near copies: the fraction of words to edit
};

/// The shares of the corpus given to each kind of planted document.
struct PlanShares {
  double low_quality = 0.1;
  double exact_copies = 0.05;
  double near_copies = 0.05;
};

/// Decide, position by position, what the corpus holds: good originals, low-quality
/// documents, exact copies and near copies.
///
/// Positions are dealt from a shuffled deck of `deck_size` cards holding each kind
/// in its share (rounded), so the shares are met exactly per deck and the kinds are
/// spread at random. A copy's source is a good original drawn uniformly from all
/// earlier positions except the one just before it, so copies land at random later
/// positions and never next to their source; a copy card dealt before any such
/// original exists becomes an original. Near copies take the edit rates in turn, so
/// every rate gets the same number of copies. Call next() once per position, in
/// order, from one thread.
class CorpusPlan {
 public:
  /// Plan with `seed`; `edit_rates` must not be empty; the shares must sum below 1.
  CorpusPlan(std::uint64_t seed, PlanShares shares, std::vector<double> edit_rates,
             std::uint64_t deck_size);

  /// Return the plan of the next position (0, 1, 2, ...).
  PlannedDocument next();

 private:
  void refill_deck();

  Random random_;
  PlanShares shares_;
  std::vector<double> edit_rates_;
  std::vector<DocumentKind> deck_;
  std::size_t dealt_ = 0;
  std::vector<std::uint32_t> originals_;  // positions of good originals, ascending
  std::uint64_t position_ = 0;
  std::uint64_t near_copies_ = 0;
};

}  // namespace curate::tools
