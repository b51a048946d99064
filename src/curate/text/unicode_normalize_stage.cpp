#include "curate/text/unicode_normalize_stage.hpp"

#include "curate/core/document_batch.hpp"
#include "curate/text/unicode_text.hpp"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>

#include <fmt/format.h>

#include <stdexcept>

namespace curate::text {
namespace {

const icu::Normalizer2& normalizer(NormalizationForm form) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* instance = nullptr;
  switch (form) {
    case NormalizationForm::kNfc:
      instance = icu::Normalizer2::getNFCInstance(status);
      break;
    case NormalizationForm::kNfkc:
      instance = icu::Normalizer2::getNFKCInstance(status);
      break;
    case NormalizationForm::kNfd:
      instance = icu::Normalizer2::getNFDInstance(status);
      break;
    case NormalizationForm::kNfkd:
      instance = icu::Normalizer2::getNFKDInstance(status);
      break;
  }
  if (U_FAILURE(status) || instance == nullptr) {
    throw std::runtime_error(std::string("cannot load an ICU normalizer: ") + u_errorName(status) +
                             "; check that ICU data is installed");
  }
  return *instance;
}

}  // namespace

NormalizationForm parse_normalization_form(std::string_view name) {
  std::string lowered;
  lower_into(name, lowered);
  if (lowered == "nfc") return NormalizationForm::kNfc;
  if (lowered == "nfkc") return NormalizationForm::kNfkc;
  if (lowered == "nfd") return NormalizationForm::kNfd;
  if (lowered == "nfkd") return NormalizationForm::kNfkd;
  throw std::invalid_argument(
      fmt::format("unknown normalization form '{}' (use nfc, nfkc, nfd or nfkd)", name));
}

std::string normalize_unicode(std::string_view text, NormalizationForm form) {
  if (is_ascii(text)) return std::string(text);  // ASCII is invariant under every form
  const icu::Normalizer2& instance = normalizer(form);
  const icu::StringPiece piece(text.data(), static_cast<int32_t>(text.size()));
  UErrorCode status = U_ZERO_ERROR;
  if (instance.isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return std::string(text);
  status = U_ZERO_ERROR;
  std::string out;
  out.reserve(text.size());
  icu::StringByteSink<std::string> sink(&out);
  instance.normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) {
    throw std::runtime_error(std::string("ICU cannot normalize text: ") + u_errorName(status));
  }
  return out;
}

UnicodeNormalizeStage::UnicodeNormalizeStage(std::string name, NormalizationForm form,
                                             std::string text_field)
    : CloneableStage(std::move(name)), form_(form), text_field_(std::move(text_field)) {}

StageIO UnicodeNormalizeStage::inputs() const {
  if (text_field_.empty()) return {};
  return {{text_field_}, false};
}

std::vector<TaskPtr> UnicodeNormalizeStage::process(TaskPtr task) {
  auto batch = std::dynamic_pointer_cast<DocumentBatch>(task);
  if (!batch) {
    throw std::invalid_argument(fmt::format("stage '{}' normalizes DocumentBatch tasks, got a {}",
                                            name(),
                                            task ? task->type_name() : std::string("null task")));
  }
  const std::string field = text_field_.empty() ? batch->text_field() : text_field_;
  const StringColumnView texts = batch->strings(field);
  StringColumn normalized;
  normalized.reserve(texts.size(), texts.total_bytes());
  bool changed = false;
  for (std::size_t row = 0; row < texts.size(); ++row) {
    const std::string_view text = texts[row];
    if (is_ascii(text)) {
      normalized.append(text);
      continue;
    }
    const std::string result = normalize_unicode(text, form_);
    changed |= result != text;
    normalized.append(result);
  }
  if (changed) batch->set_column(field, std::move(normalized));
  return {batch};
}

}  // namespace curate::text
