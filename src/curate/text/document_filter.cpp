#include "curate/text/document_filter.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace curate::text {

bool Threshold::contains(double score) const {
  if (std::isnan(score)) return false;
  if (min && (min_inclusive ? score < *min : score <= *min)) return false;
  if (max && (max_inclusive ? score > *max : score >= *max)) return false;
  return true;
}

std::string Threshold::describe() const {
  if (min && max) {
    return fmt::format("in {}{}, {}{}", min_inclusive ? '[' : '(', *min, *max,
                       max_inclusive ? ']' : ')');
  }
  if (min) return fmt::format("{} {}", min_inclusive ? ">=" : ">", *min);
  if (max) return fmt::format("{} {}", max_inclusive ? "<=" : "<", *max);
  return "any";
}

double DocumentFilter::rewrite(AnalyzedDocument& document, std::string& out) const {
  out.assign(document.text());
  return score(document);
}

double DocumentFilter::score_text(std::string_view text) const {
  AnalyzedDocument document;
  document.reset(text);
  if (rewrites_text()) {
    std::string ignored;
    return rewrite(document, ignored);
  }
  return score(document);
}

StatisticFilter::StatisticFilter(std::string name, Statistic statistic, Threshold threshold)
    : DocumentFilter(std::move(name)), statistic_(std::move(statistic)), threshold_(threshold) {}

StatisticFilter::StatisticFilter(std::string name, Statistic statistic, KeepPredicate keep)
    : DocumentFilter(std::move(name)), statistic_(std::move(statistic)), keep_(std::move(keep)) {}

double ratio_or_nan(double numerator, double denominator) {
  return denominator == 0 ? std::numeric_limits<double>::quiet_NaN() : numerator / denominator;
}

}  // namespace curate::text
