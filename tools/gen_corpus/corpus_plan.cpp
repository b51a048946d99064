#include "corpus_plan.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

namespace curate::tools {
namespace {

// Separates the plan's random stream from the documents' streams (see derive_seed).
constexpr std::uint64_t kPlanStream = 1;

}  // namespace

CorpusPlan::CorpusPlan(std::uint64_t seed, PlanShares shares, std::vector<double> edit_rates,
                       std::uint64_t deck_size)
    : random_(derive_seed(seed, kPlanStream, 0)),
      shares_(shares),
      edit_rates_(std::move(edit_rates)) {
  if (edit_rates_.empty()) throw std::invalid_argument("CorpusPlan needs at least one edit rate");
  deck_.resize(std::max<std::uint64_t>(deck_size, 1));
  dealt_ = deck_.size();
}

void CorpusPlan::refill_deck() {
  const auto cards = [&](double share) {
    return static_cast<std::size_t>(std::llround(share * static_cast<double>(deck_.size())));
  };
  std::size_t next_card = 0;
  const auto deal_in = [&](DocumentKind kind, std::size_t count) {
    for (std::size_t i = 0; i < count && next_card < deck_.size(); ++i) deck_[next_card++] = kind;
  };
  deal_in(DocumentKind::kLowQuality, cards(shares_.low_quality));
  deal_in(DocumentKind::kExactCopy, cards(shares_.exact_copies));
  deal_in(DocumentKind::kNearCopy, cards(shares_.near_copies));
  deal_in(DocumentKind::kOriginal, deck_.size());
  for (std::size_t i = deck_.size(); i > 1; --i) std::swap(deck_[i - 1], deck_[random_.below(i)]);
  dealt_ = 0;
}

PlannedDocument CorpusPlan::next() {
  if (position_ > std::numeric_limits<std::uint32_t>::max()) {
    throw std::runtime_error(
        fmt::format("gen_corpus plans at most {} documents; raise --doc-bytes or lower --size",
                    std::numeric_limits<std::uint32_t>::max()));
  }
  if (dealt_ == deck_.size()) refill_deck();
  PlannedDocument planned;
  planned.kind = deck_[dealt_++];
  const std::uint64_t position = position_++;

  if (planned.kind == DocumentKind::kLowQuality) {
    planned.quality = low_quality_kind(random_.below(kLowQualityKinds));
    return planned;
  }
  if (planned.kind == DocumentKind::kExactCopy || planned.kind == DocumentKind::kNearCopy) {
    std::size_t eligible = originals_.size();
    if (eligible > 0 && originals_.back() + 1 == position) --eligible;
    if (eligible == 0) {
      planned.kind = DocumentKind::kOriginal;
    } else {
      planned.source = originals_[random_.below(eligible)];
      if (planned.kind == DocumentKind::kNearCopy) {
        planned.edit_rate = edit_rates_[near_copies_++ % edit_rates_.size()];
      }
      return planned;
    }
  }
  originals_.push_back(static_cast<std::uint32_t>(position));
  return planned;
}

}  // namespace curate::tools
