#pragma once

#include "curate/core/processing_stage.hpp"

#include <string>
#include <string_view>

namespace curate::text {

/// A Unicode normalization form (UAX #15).
enum class NormalizationForm : uint8_t { kNfc, kNfkc, kNfd, kNfkd };

/// Parse "nfc", "nfkc", "nfd" or "nfkd" (any case); throws std::invalid_argument
/// naming the valid forms otherwise.
NormalizationForm parse_normalization_form(std::string_view name);

/// Return `text` in normalization form `form`, using ICU on UTF-8 directly. ASCII text
/// and text already normalized are returned without work beyond a check. Invalid UTF-8
/// sequences become U+FFFD. Thread-safe (ICU normalizers are shared, immutable).
std::string normalize_unicode(std::string_view text, NormalizationForm form);

/// Rewrite a batch's text column in one normalization form (NFC by default), so that
/// "e" + U+0301 and "é" score and deduplicate alike. Put it before filters when the
/// corpus mixes composed and decomposed text. Stateless; one thread per instance.
class UnicodeNormalizeStage final : public CloneableStage<UnicodeNormalizeStage> {
 public:
  UnicodeNormalizeStage(std::string name, NormalizationForm form, std::string text_field = "");

  StageIO inputs() const override;
  /// Normalize one DocumentBatch; throws std::invalid_argument for other task types.
  std::vector<TaskPtr> process(TaskPtr task) override;

 private:
  NormalizationForm form_;
  std::string text_field_;
};

}  // namespace curate::text
