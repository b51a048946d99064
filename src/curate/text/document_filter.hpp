#pragma once

#include "curate/text/analyzed_document.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace curate::text {

/// The range of scores that keeps a document: an optional lower and upper bound, each
/// inclusive or strict. NaN (an undefined statistic, such as a ratio over zero words)
/// is never inside, so such documents are dropped.
struct Threshold {
  std::optional<double> min;
  bool min_inclusive = true;
  std::optional<double> max;
  bool max_inclusive = true;

  static Threshold at_most(double value) { return {std::nullopt, true, value, true}; }
  static Threshold below(double value) { return {std::nullopt, true, value, false}; }
  static Threshold at_least(double value) { return {value, true, std::nullopt, true}; }
  static Threshold above(double value) { return {value, false, std::nullopt, true}; }
  static Threshold between(double low, double high) { return {low, true, high, true}; }

  /// Return true when `score` satisfies both bounds (false for NaN).
  bool contains(double score) const;
  /// Return the bounds as text ("<= 0.25", "in [50, 100000]") for help and errors.
  std::string describe() const;
};

/// One heuristic rule: a statistic of a document (`score`) and the decision taken on it
/// (`keep`), as NeMo Curator's DocumentFilter (`score_document` / `keep_document`). The
/// name is the drop reason counted in stats.json. Filters are immutable once built and
/// shared by every worker instance, so `score` and `keep` are const and may run on many
/// threads at once, each with its own AnalyzedDocument.
class DocumentFilter {
 public:
  explicit DocumentFilter(std::string name) : name_(std::move(name)) {}
  virtual ~DocumentFilter() = default;

  /// Return the name: the YAML-visible drop reason ("word_count", "repeating_top_2grams").
  const std::string& name() const { return name_; }

  /// Compute the rule's statistic for the analysed document. Called once per document
  /// per filter by the stages, from the worker thread that owns `document`.
  virtual double score(AnalyzedDocument& document) const = 0;
  /// Return true when a document with this score is kept.
  virtual bool keep(double score) const = 0;

  /// Return true for a filter that rewrites the text (the C4 line rules) instead of, or
  /// as well as, scoring it. Stages call `rewrite` for such filters, not `score`.
  virtual bool rewrites_text() const { return false; }
  /// Write the rewritten text of `document` to `out` (cleared first) and return the
  /// score. The default copies the text and returns `score`.
  virtual double rewrite(AnalyzedDocument& document, std::string& out) const;

  /// Score `text` with a fresh analysis: for tests and one-off calls, not hot loops.
  double score_text(std::string_view text) const;

 private:
  std::string name_;
};

using FilterPtr = std::shared_ptr<const DocumentFilter>;

/// A statistic of an analysed document; must be safe to call from several threads on
/// different documents (no mutable captured state).
using Statistic = std::function<double(AnalyzedDocument&)>;
/// A keep decision on a score.
using KeepPredicate = std::function<bool(double)>;

/// The common filter: a statistic kept inside a Threshold (or by a custom predicate,
/// for rules such as FineWeb's line punctuation whose keep test has an exception).
class StatisticFilter final : public DocumentFilter {
 public:
  StatisticFilter(std::string name, Statistic statistic, Threshold threshold);
  StatisticFilter(std::string name, Statistic statistic, KeepPredicate keep);

  double score(AnalyzedDocument& document) const override { return statistic_(document); }
  bool keep(double score) const override {
    return keep_ ? keep_(score) : threshold_.contains(score);
  }
  /// Return the bounds (unused when the filter keeps by a custom predicate).
  const Threshold& threshold() const { return threshold_; }

 private:
  Statistic statistic_;
  Threshold threshold_;
  KeepPredicate keep_;
};

/// Return `numerator / denominator`, or NaN when the denominator is 0: the original
/// rules divide by zero there (a Python exception), and NaN drops the document.
double ratio_or_nan(double numerator, double denominator);

}  // namespace curate::text
