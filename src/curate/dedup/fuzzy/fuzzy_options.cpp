#include "curate/dedup/fuzzy/fuzzy_options.hpp"

#include <fmt/format.h>

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

nlohmann::json fuzzy_options_to_json(const FuzzyOptions& options) {
  const auto& shingles = options.shingles;
  return {{"shingles",
           {{"kind", shingles.kind == ShingleKind::kWord ? "word" : "char"},
            {"n", shingles.n},
            {"normalize_digits", shingles.normalize_digits},
            {"strip_diacritics", shingles.strip_diacritics},
            {"seed", shingles.seed}}},
          {"sketch", options.sketch == SketchKind::kClassic ? "classic" : "one_permutation"},
          {"lsh", options.lsh ? nlohmann::json::array(
                                    {options.lsh->num_bands, options.lsh->minhashes_per_band})
                              : nlohmann::json()},
          {"bands_per_iteration", options.bands_per_iteration},
          {"seed", options.seed},
          {"use_64_bit_hash", options.use_64_bit_hash},
          {"jaccard_threshold", options.jaccard_threshold},
          {"num_partitions", options.num_partitions},
          {"text_field", options.text_field},
          {"id_field", options.id_field}};
}

FuzzyOptions fuzzy_options_from_json(const nlohmann::json& json) {
  FuzzyOptions options;
  std::string key;
  try {
    key = "shingles";
    const auto& shingles = json.at(key);
    key = "shingles.kind";
    const auto kind = shingles.at("kind").get<std::string>();
    if (kind != "word" && kind != "char") throw std::invalid_argument("not word or char");
    options.shingles.kind = kind == "word" ? ShingleKind::kWord : ShingleKind::kChar;
    key = "shingles.n";
    options.shingles.n = shingles.at("n").get<int>();
    key = "shingles.normalize_digits";
    options.shingles.normalize_digits = shingles.at("normalize_digits").get<bool>();
    key = "shingles.strip_diacritics";
    options.shingles.strip_diacritics = shingles.at("strip_diacritics").get<bool>();
    key = "shingles.seed";
    options.shingles.seed = shingles.at("seed").get<uint64_t>();
    key = "sketch";
    const auto sketch = json.at(key).get<std::string>();
    if (sketch != "classic" && sketch != "one_permutation") {
      throw std::invalid_argument("not classic or one_permutation");
    }
    options.sketch = sketch == "classic" ? SketchKind::kClassic : SketchKind::kOnePermutation;
    key = "lsh";
    if (!json.at(key).is_null()) {
      options.lsh = LshParams{json[key].at(0).get<int>(), json[key].at(1).get<int>()};
    }
    key = "bands_per_iteration";
    options.bands_per_iteration = json.at(key).get<int>();
    key = "seed";
    options.seed = json.at(key).get<uint64_t>();
    key = "use_64_bit_hash";
    options.use_64_bit_hash = json.at(key).get<bool>();
    key = "jaccard_threshold";
    options.jaccard_threshold = json.at(key).get<double>();
    key = "num_partitions";
    options.num_partitions = json.at(key).get<int>();
    key = "text_field";
    options.text_field = json.at(key).get<std::string>();
    key = "id_field";
    options.id_field = json.at(key).get<std::string>();
  } catch (const std::exception& error) {
    throw std::invalid_argument(
        fmt::format("fuzzy dedup options: bad or missing '{}' ({})", key, error.what()));
  }
  return options;
}

}  // namespace curate::dedup
