// Fuzzy-dedup signature throughput on generated English-like documents, one thread.
// Rates are bytes of input text per second, shingling included unless the name says
// otherwise.
//
//   BM_Shingle/<kind>                      shingling and base hashing alone
//   BM_Classic/<kind>_<k>                  Shingler + classic k-permutation MinHash
//   BM_OnePermutation/<kind>_<k>           Shingler + one-permutation hashing (densified)
//   BM_SketchOnly/<sketch>/<kind>_<k>      the sketch of precomputed shingle hashes
//   BM_BandBuckets/<b>x<r>                 bucket ids of precomputed signatures
//
// word5 = word 5-grams (datatrove), char24 = character 24-grams (NeMo Curator); values
// are 32-bit (NeMo Curator's default) unless the name ends in _64. After the benchmarks
// a table gives the mean absolute error of the Jaccard estimate (fraction of equal
// values) against the exact shingle-set Jaccard on generated near-duplicate pairs, for
// classic and one-permutation sketches at 112 and 260 values (skip it: --no_quality).
// The corpus is generated in-process and deterministically.

#include "bench_random.hpp"
#include "curate/dedup/fuzzy/band_buckets.hpp"
#include "curate/dedup/fuzzy/jaccard.hpp"
#include "curate/dedup/fuzzy/lsh_params.hpp"
#include "curate/dedup/fuzzy/minhash.hpp"
#include "curate/dedup/fuzzy/shingler.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

using curate::dedup::LshParams;
using curate::dedup::MinHasher;
using curate::dedup::ShingleKind;
using curate::dedup::ShingleOptions;
using curate::dedup::Shingler;
using curate::dedup::SketchKind;

constexpr std::size_t kDocuments = 1024;
constexpr std::size_t kDocumentBytes = 4096;
constexpr std::size_t kVocabulary = 20000;

using curate::bench::Random;

// English-like text: a Zipf vocabulary (weight 1 / (rank + 2.7)) whose first ranks are
// the commonest English words and the rest pronounceable made-up words of 2-4 syllables,
// sentences of 6-25 words with capitals, commas, numbers now and then, and paragraphs.
class TextSource {
 public:
  TextSource() {
    const char* common[] = {"the",  "of",   "and",   "to",   "a",   "in",    "is",   "it",
                            "you",  "that", "he",    "was",  "for", "on",    "are",  "with",
                            "as",   "his",  "they",  "be",   "at",  "one",   "have", "this",
                            "from", "or",   "had",   "by",   "but", "what",  "some", "we",
                            "can",  "out",  "other", "were", "all", "there", "when", "up"};
    for (const char* word : common) words_.emplace_back(word);
    const char* onsets[] = {"b", "c", "d", "f",  "g",  "h",  "l",  "m",  "n",  "p",  "r", "s",
                            "t", "v", "w", "st", "tr", "ch", "sh", "pl", "gr", "br", "th"};
    const char* vowels[] = {"a", "e", "i", "o", "u", "ea", "ou", "io", "ai"};
    const char* codas[] = {"", "", "", "n", "r", "s", "t", "l", "nd", "ng", "ck", "st"};
    Random random(7);
    while (words_.size() < kVocabulary) {
      std::string word;
      const std::size_t syllables = 1 + random.below(3) + (random.below(4) == 0);
      for (std::size_t s = 0; s < syllables; ++s) {
        word += onsets[random.below(std::size(onsets))];
        word += vowels[random.below(std::size(vowels))];
        word += codas[random.below(std::size(codas))];
      }
      words_.push_back(word);
    }
    double total = 0;
    for (std::size_t r = 0; r < words_.size(); ++r) {
      total += 1.0 / (static_cast<double>(r) + 2.7);
      cumulative_.push_back(total);
    }
  }

  const std::string& word(Random& random) const {
    const double target = random.uniform() * cumulative_.back();
    const auto it = std::lower_bound(cumulative_.begin(), cumulative_.end(), target);
    return words_[std::min<std::size_t>(it - cumulative_.begin(), words_.size() - 1)];
  }

  void append_sentence(Random& random, std::string& out) const {
    const std::size_t length = 6 + random.below(20);
    for (std::size_t w = 0; w < length; ++w) {
      std::string token = word(random);
      if (w == 0) token[0] = static_cast<char>(token[0] - 'a' + 'A');
      if (random.below(60) == 0) token = std::to_string(random.below(2000));
      out += token;
      if (w + 1 < length) out += random.below(12) == 0 ? ", " : " ";
    }
    out += random.below(10) == 0 ? "?" : ".";
  }

  std::string document(Random& random, std::size_t bytes) const {
    std::string out;
    while (out.size() < bytes) {
      append_sentence(random, out);
      out += random.below(5) == 0 ? "\n\n" : " ";
    }
    return out;
  }

  // A near copy: each word replaced by a drawn one with probability `rate`.
  std::string near_copy(Random& random, std::string_view source, double rate) const {
    std::string out;
    std::size_t i = 0;
    while (i < source.size()) {
      std::size_t end = i;
      while (end < source.size() && source[end] != ' ' && source[end] != '\n') ++end;
      if (end > i && random.uniform() < rate) {
        out += word(random);
      } else {
        out.append(source.substr(i, end - i));
      }
      if (end < source.size()) out.push_back(source[end]);
      i = end + 1;
    }
    return out;
  }

 private:
  std::vector<std::string> words_;
  std::vector<double> cumulative_;
};

const TextSource& text_source() {
  static const TextSource source;
  return source;
}

const std::vector<std::string>& corpus() {
  static const std::vector<std::string> documents = [] {
    Random random(42);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < kDocuments; ++i) {
      // Lengths spread over 0.25x..1.75x the mean, as web documents vary.
      const std::size_t bytes = kDocumentBytes / 4 + random.below(kDocumentBytes * 3 / 2);
      out.push_back(text_source().document(random, bytes));
    }
    return out;
  }();
  return documents;
}

std::size_t corpus_bytes() {
  std::size_t total = 0;
  for (const std::string& doc : corpus()) total += doc.size();
  return total;
}

ShingleOptions shingle_options(ShingleKind kind) {
  ShingleOptions options;
  options.kind = kind;
  options.n = kind == ShingleKind::kWord ? 5 : 24;
  return options;
}

void BM_Shingle(benchmark::State& state, ShingleKind kind) {
  Shingler shingler(shingle_options(kind));
  std::vector<uint64_t> hashes;
  const auto& docs = corpus();
  for (auto _ : state) {
    for (const std::string& doc : docs) {
      shingler.hashes(doc, hashes);
      benchmark::DoNotOptimize(hashes.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus_bytes()));
}

void BM_Signature(benchmark::State& state, SketchKind sketch, ShingleKind kind, int num_hashes,
                  bool values64) {
  Shingler shingler(shingle_options(kind));
  const MinHasher hasher(sketch, num_hashes, 42, values64);
  std::vector<uint64_t> hashes;
  std::vector<uint64_t> signature(static_cast<std::size_t>(num_hashes));
  const auto& docs = corpus();
  for (auto _ : state) {
    for (const std::string& doc : docs) {
      shingler.hashes(doc, hashes);
      hasher.sketch(hashes, signature);
      benchmark::DoNotOptimize(signature.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus_bytes()));
  state.counters["docs_per_s"] = benchmark::Counter(static_cast<double>(docs.size()),
                                                    benchmark::Counter::kIsIterationInvariantRate);
}

void BM_SketchOnly(benchmark::State& state, SketchKind sketch, ShingleKind kind, int num_hashes,
                   bool values64) {
  Shingler shingler(shingle_options(kind));
  const MinHasher hasher(sketch, num_hashes, 42, values64);
  std::vector<std::vector<uint64_t>> all;
  std::size_t shingles = 0;
  for (const std::string& doc : corpus()) {
    all.emplace_back();
    shingler.hashes(doc, all.back());
    shingles += all.back().size();
  }
  std::vector<uint64_t> signature(static_cast<std::size_t>(num_hashes));
  for (auto _ : state) {
    for (const auto& hashes : all) {
      hasher.sketch(hashes, signature);
      benchmark::DoNotOptimize(signature.data());
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * corpus_bytes()));
  state.counters["ns_per_shingle"] = benchmark::Counter(
      static_cast<double>(shingles) * 1e-9,
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_BandBuckets(benchmark::State& state, LshParams params) {
  constexpr std::size_t kSignatures = 4096;
  const auto length = static_cast<std::size_t>(params.num_hashes());
  std::vector<uint64_t> signatures(kSignatures * length);
  Random random(3);
  for (uint64_t& value : signatures) value = random.next() & 0xFFFFFFFFULL;
  std::vector<uint64_t> buckets(static_cast<std::size_t>(params.num_bands));
  for (auto _ : state) {
    for (std::size_t s = 0; s < kSignatures; ++s) {
      curate::dedup::band_buckets({signatures.data() + s * length, length}, params, buckets);
      benchmark::DoNotOptimize(buckets.data());
    }
  }
  state.counters["signatures_per_s"] = benchmark::Counter(
      static_cast<double>(kSignatures), benchmark::Counter::kIsIterationInvariantRate);
}

void register_benchmarks() {
  using benchmark::RegisterBenchmark;
  const auto ms = benchmark::kMillisecond;
  RegisterBenchmark("BM_Shingle/word5", BM_Shingle, ShingleKind::kWord)->Unit(ms);
  RegisterBenchmark("BM_Shingle/char24", BM_Shingle, ShingleKind::kChar)->Unit(ms);
  struct Case {
    const char* name;
    SketchKind sketch;
    ShingleKind kind;
    int k;
    bool values64;
  };
  const Case cases[] = {
      {"BM_Classic/word5_112", SketchKind::kClassic, ShingleKind::kWord, 112, false},
      {"BM_Classic/char24_260", SketchKind::kClassic, ShingleKind::kChar, 260, false},
      {"BM_Classic/word5_112_64", SketchKind::kClassic, ShingleKind::kWord, 112, true},
      {"BM_Classic/char24_260_64", SketchKind::kClassic, ShingleKind::kChar, 260, true},
      {"BM_OnePermutation/word5_112", SketchKind::kOnePermutation, ShingleKind::kWord, 112, false},
      {"BM_OnePermutation/char24_260", SketchKind::kOnePermutation, ShingleKind::kChar, 260, false},
      {"BM_OnePermutation/char24_260_64", SketchKind::kOnePermutation, ShingleKind::kChar, 260,
       true},
  };
  for (const Case& c : cases) {
    RegisterBenchmark(c.name, BM_Signature, c.sketch, c.kind, c.k, c.values64)->Unit(ms);
  }
  for (const Case& c : cases) {
    RegisterBenchmark((std::string("BM_SketchOnly/") + (std::strchr(c.name, '/') + 1) +
                       (c.sketch == SketchKind::kClassic ? "/classic" : "/oph"))
                          .c_str(),
                      BM_SketchOnly, c.sketch, c.kind, c.k, c.values64)
        ->Unit(ms);
  }
  RegisterBenchmark("BM_BandBuckets/20x13", BM_BandBuckets, curate::dedup::kNemoCuratorLsh)
      ->Unit(ms);
  RegisterBenchmark("BM_BandBuckets/14x8", BM_BandBuckets, curate::dedup::kDatatroveLsh)->Unit(ms);
}

// Estimate error: exact Jaccard of the shingle sets against the fraction of equal values.
// The reference column is what k independent values would give: the mean over the pairs of
// E|Binomial(k, J)/k - J| ~ sqrt(2 J (1 - J) / (pi k)).
void print_quality() {
  constexpr int kPairs = 400;
  constexpr uint64_t kSeeds[] = {1, 2, 3};
  Random random(11);
  const auto& source = text_source();
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int p = 0; p < kPairs; ++p) {
    std::string a = source.document(random, 3000);
    // Word replacement rates of 0-20% give Jaccard from about 0.3 to 1.
    std::string b = source.near_copy(random, a, 0.2 * random.uniform());
    pairs.emplace_back(std::move(a), std::move(b));
  }
  fmt::print(
      "\nJaccard estimate error on {} generated near-duplicate pairs (3 KB, 0-20% of words "
      "replaced), 32-bit values, {} seeds each\n",
      kPairs, std::size(kSeeds));
  fmt::print("{:<7} {:<16} {:>4} {:>8} {:>13} {:>9} {:>11} {:>10}\n", "shingle", "sketch", "k",
             "MAE", "MAE at J>=0.7", "bias", "max |err|", "binomial");
  for (const ShingleKind kind : {ShingleKind::kWord, ShingleKind::kChar}) {
    Shingler shingler(shingle_options(kind));
    std::vector<double> exact;
    std::vector<std::vector<uint64_t>> sets_a, sets_b;
    for (const auto& [a, b] : pairs) {
      sets_a.emplace_back();
      sets_b.emplace_back();
      shingler.hash_set(a, sets_a.back());
      shingler.hash_set(b, sets_b.back());
      exact.push_back(curate::dedup::jaccard(sets_a.back(), sets_b.back()));
    }
    double mean_j = 0;
    for (const double j : exact) mean_j += j / kPairs;
    for (const SketchKind sketch : {SketchKind::kClassic, SketchKind::kOnePermutation}) {
      for (const int k : {112, 260}) {
        double abs_sum = 0, signed_sum = 0, worst = 0, high_sum = 0, reference = 0;
        int samples = 0, high_samples = 0;
        std::vector<uint64_t> sa(static_cast<std::size_t>(k)), sb(sa.size());
        for (const uint64_t seed : kSeeds) {
          const MinHasher hasher(sketch, k, seed, false);
          for (int p = 0; p < kPairs; ++p) {
            hasher.sketch(sets_a[p], sa);
            hasher.sketch(sets_b[p], sb);
            int equal = 0;
            for (std::size_t i = 0; i < sa.size(); ++i) equal += sa[i] == sb[i];
            const double error = static_cast<double>(equal) / k - exact[p];
            abs_sum += std::abs(error);
            signed_sum += error;
            worst = std::max(worst, std::abs(error));
            reference += std::sqrt(2 * exact[p] * (1 - exact[p]) / (M_PI * k));
            ++samples;
            if (exact[p] >= 0.7) {
              high_sum += std::abs(error);
              ++high_samples;
            }
          }
        }
        fmt::print("{:<7} {:<16} {:>4} {:>8.4f} {:>13.4f} {:>+9.4f} {:>11.4f} {:>10.4f}\n",
                   kind == ShingleKind::kWord ? "word5" : "char24",
                   sketch == SketchKind::kClassic ? "classic" : "one_permutation", k,
                   abs_sum / samples, high_samples ? high_sum / high_samples : 0.0,
                   signed_sum / samples, worst, reference / samples);
      }
    }
    const auto high = std::count_if(exact.begin(), exact.end(), [](double j) { return j >= 0.7; });
    fmt::print("{:<7} pairs: mean exact Jaccard {:.3f}, {} of {} at J >= 0.7\n",
               kind == ShingleKind::kWord ? "word5" : "char24", mean_j, high, kPairs);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool quality = true;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--no_quality") {
      quality = false;
      std::copy(argv + i + 1, argv + argc, argv + i);
      --argc;
      --i;
    }
  }
  register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  if (quality) print_quality();
  return 0;
}
