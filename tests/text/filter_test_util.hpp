#pragma once

#include "curate/core/document_batch.hpp"
#include "curate/text/filter_registry.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <string>
#include <string_view>
#include <vector>

namespace curate::text::testing {

/// Build a built-in filter by YAML name, as a pipeline would.
inline FilterPtr make(const std::string& name,
                      const nlohmann::json& params = nlohmann::json::object()) {
  return builtin_filters().create(name, params);
}

/// Score `text` with filter `name`.
inline double score_of(const std::string& name, std::string_view text,
                       const nlohmann::json& params = nlohmann::json::object()) {
  return make(name, params)->score_text(text);
}

/// Return whether filter `name` keeps `text`.
inline bool keeps(const std::string& name, std::string_view text,
                  const nlohmann::json& params = nlohmann::json::object()) {
  const FilterPtr filter = make(name, params);
  return filter->keep(filter->score_text(text));
}

/// Repeat `piece` `times` times.
inline std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out.append(piece);
  return out;
}

/// Join `pieces` with `separator`.
inline std::string join(const std::vector<std::string>& pieces, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    if (i > 0) out.append(separator);
    out.append(pieces[i]);
  }
  return out;
}

/// Make a batch with a text column (and an int64 id column when `with_ids`).
inline std::shared_ptr<DocumentBatch> make_batch(const std::vector<std::string>& texts,
                                                 bool with_ids = false) {
  auto batch = std::make_shared<DocumentBatch>("task-1", "test");
  StringColumn column;
  for (const std::string& text : texts) column.append(text);
  batch->set_column("text", std::move(column));
  if (with_ids) {
    std::vector<int64_t> ids;
    for (std::size_t i = 0; i < texts.size(); ++i) ids.push_back(static_cast<int64_t>(100 + i));
    batch->set_column("id", std::move(ids));
  }
  return batch;
}

/// Return the texts of a batch.
inline std::vector<std::string> texts_of(const DocumentBatch& batch) {
  std::vector<std::string> out;
  const StringColumnView texts = batch.text();
  for (std::size_t i = 0; i < texts.size(); ++i) out.emplace_back(texts[i]);
  return out;
}

/// A natural English paragraph of 58 words that passes every default rule.
inline std::string good_english() {
  return "The old lighthouse keeper walked along the rocky shore every morning, counting the "
         "boats that had returned safely from the night. He kept a small notebook with the "
         "names of each vessel and the weather they had faced. Over the years that record "
         "became a history of the village, and people came to read it with great care.";
}

}  // namespace curate::text::testing
