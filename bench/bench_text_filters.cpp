// Heuristic filter throughput on generated ~4 KB English-like documents, one thread.
//
//   BM_NemoEnglish/fused      the NeMo Curator English set as a heuristic_filter stage
//                             (one analysis per document, stop at the first failing rule):
//                             the filter-only MB/s of issue #4's end-to-end pipeline
//   BM_NemoEnglish/all_rules  the same with every rule evaluated on every document
//   BM_RuleSet/<set>          the other published sets (Gopher, C4, FineWeb), fused
//   BM_Rule/<filter>          one rule alone, paying for the analysis it needs
//
// After the benchmarks, a table gives each NeMo rule's own cost inside the fused set
// (the analysis it shares is charged to the first rule that asks for it), sorted, so the
// slowest rule is visible. The corpus is generated in-process, deterministically.

#include "bench_random.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/text/analyzed_document.hpp"
#include "curate/text/filter_registry.hpp"
#include "curate/text/heuristic_filter_stage.hpp"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

namespace {

using curate::DocumentBatch;
using curate::StringColumn;
namespace text = curate::text;

constexpr std::size_t kDocuments = 2048;
constexpr std::size_t kDocumentBytes = 4096;
constexpr std::size_t kBatchRows = 256;

using curate::bench::Random;

const std::vector<std::string>& vocabulary() {
  static const std::vector<std::string> words = [] {
    const char* common =
        "the of and to a in is it you that he was for on are with as his they be at one have "
        "this from or had by hot word but what some we can out other were all there when up use "
        "your how said an each she which do their time if will way about many then them write "
        "would like so these her long make thing see him two has look more day could go come did "
        "number sound no most people my over know water than call first who may down side been "
        "now find any new work part take get place made live where after back little only round "
        "man year came show every good me give our under name very through just form sentence "
        "great think say help low line differ turn cause much mean before move right boy old too "
        "same tell does set three want air well also play small end put home read hand port large "
        "spell add even land here must big high such follow act why ask men change went light kind "
        "off need house picture try us again animal point mother world near build self earth "
        "father "
        "head stand own page should country found answer school grow study still learn plant cover "
        "food sun four between state keep eye never last let thought city tree cross farm hard "
        "start "
        "might story saw far sea draw left late run while press close night real life few north "
        "open "
        "seem together next white children begin got walk example ease paper group always music "
        "those "
        "both mark often letter until mile river car feet care second book carry took science eat "
        "room "
        "friend began idea fish mountain stop once base hear horse cut sure watch color face wood "
        "main "
        "enough plain girl usual young ready above ever red list though feel talk bird soon body "
        "dog "
        "family direct pose leave song measure door product black short numeral class wind "
        "question "
        "happen complete ship area half rock order fire south problem piece told knew pass since "
        "top "
        "whole king space heard best hour better true during hundred five remember step early hold "
        "west ground interest reach fast verb sing listen six table travel less morning simple "
        "several "
        "vowel toward war lay against pattern slow center love person money serve appear road map "
        "rain "
        "rule govern pull cold notice voice unit power town fine certain fly fall lead cry dark "
        "machine "
        "note wait plan figure star box noun field rest correct able pound done beauty drive stood "
        "contain front teach week final gave green quick develop ocean warm free minute strong "
        "special "
        "mind behind clear tail produce fact street inch multiply nothing course stay wheel full "
        "force "
        "blue object decide surface deep moon island foot system busy test record boat common gold";
    std::vector<std::string> out;
    std::string current;
    for (const char* p = common;; ++p) {
      if (*p == ' ' || *p == '\0') {
        if (!current.empty()) out.push_back(current);
        current.clear();
        if (*p == '\0') break;
      } else {
        current.push_back(*p);
      }
    }
    return out;
  }();
  return words;
}

// Zipf-like choice: rank r with weight 1 / (r + 10).
std::size_t zipf(Random& random, const std::vector<double>& cumulative) {
  const double target =
      static_cast<double>(random.next() >> 11) / 9007199254740992.0 * cumulative.back();
  return static_cast<std::size_t>(std::lower_bound(cumulative.begin(), cumulative.end(), target) -
                                  cumulative.begin());
}

std::string make_document(Random& random, const std::vector<double>& cumulative,
                          std::size_t index) {
  const auto& words = vocabulary();
  std::string doc;
  const std::size_t kind = index % 20;  // 1 in 20 boilerplate-heavy, 1 in 20 repetitive
  while (doc.size() < kDocumentBytes) {
    const std::size_t sentences = 3 + random.below(5);
    for (std::size_t s = 0; s < sentences && doc.size() < kDocumentBytes; ++s) {
      const std::size_t length = 8 + random.below(18);
      for (std::size_t w = 0; w < length; ++w) {
        std::string word = words[zipf(random, cumulative)];
        if (w == 0) word[0] = static_cast<char>(word[0] - 'a' + 'A');
        doc += word;
        if (w + 1 < length) doc += random.below(12) == 0 ? ", " : " ";
      }
      if (random.below(40) == 0) doc += " (see page " + std::to_string(random.below(300)) + ")";
      if (random.below(60) == 0)
        doc += " at https://example.org/page/" + std::to_string(random.below(9999));
      doc += random.below(10) == 0 ? "? " : ". ";
    }
    doc.back() = '\n';
    doc += kind == 0 ? "Read our privacy policy and terms of use.\n\n" : "\n";
    if (kind == 1) doc += doc.substr(0, std::min<std::size_t>(doc.size(), 600));
  }
  doc.resize(kDocumentBytes);
  return doc;
}

const std::vector<std::string>& corpus() {
  static const std::vector<std::string> documents = [] {
    Random random(20240531);
    std::vector<double> cumulative;
    double total = 0;
    for (std::size_t r = 0; r < vocabulary().size(); ++r)
      cumulative.push_back(total += 1.0 / (static_cast<double>(r) + 10.0));
    std::vector<std::string> out;
    for (std::size_t i = 0; i < kDocuments; ++i)
      out.push_back(make_document(random, cumulative, i));
    return out;
  }();
  return documents;
}

const std::vector<std::shared_ptr<DocumentBatch>>& batches() {
  static const std::vector<std::shared_ptr<DocumentBatch>> out = [] {
    std::vector<std::shared_ptr<DocumentBatch>> built;
    for (std::size_t start = 0; start < kDocuments; start += kBatchRows) {
      auto batch = std::make_shared<DocumentBatch>("bench-" + std::to_string(start), "bench");
      StringColumn texts;
      for (std::size_t i = start; i < std::min(kDocuments, start + kBatchRows); ++i)
        texts.append(corpus()[i]);
      batch->set_column("text", std::move(texts));
      built.push_back(batch);
    }
    return built;
  }();
  return out;
}

nlohmann::json nemo_english() {
  return nlohmann::json::parse(R"([
    {"name": "alpha_numeric"}, {"name": "symbol_to_word"}, {"name": "numbers_ratio"},
    {"name": "urls_ratio"}, {"name": "white_space"}, {"name": "parentheses_ratio"},
    {"name": "boilerplate_string_ratio"}, {"name": "repeated_lines"},
    {"name": "repeated_paragraphs"},
    {"name": "repeated_lines_char"}, {"name": "repeated_paragraphs_char"}, {"name": "word_count"},
    {"name": "punctuation"}, {"name": "words_without_alphabets"}, {"name": "common_english_words"},
    {"name": "mean_word_length"}, {"name": "max_word_length"}, {"name": "ellipsis"},
    {"name": "repeating_top_ngrams", "n": 2, "max_repeating_ngram_ratio": 0.2},
    {"name": "repeating_top_ngrams", "n": 3, "max_repeating_ngram_ratio": 0.18},
    {"name": "repeating_top_ngrams", "n": 4, "max_repeating_ngram_ratio": 0.16},
    {"name": "repeating_duplicate_ngrams", "n": 5, "max_repeating_duplicate_ngram_ratio": 0.15},
    {"name": "repeating_duplicate_ngrams", "n": 6, "max_repeating_duplicate_ngram_ratio": 0.14},
    {"name": "repeating_duplicate_ngrams", "n": 7, "max_repeating_duplicate_ngram_ratio": 0.13},
    {"name": "repeating_duplicate_ngrams", "n": 8, "max_repeating_duplicate_ngram_ratio": 0.12},
    {"name": "repeating_duplicate_ngrams", "n": 9, "max_repeating_duplicate_ngram_ratio": 0.11},
    {"name": "repeating_duplicate_ngrams", "n": 10, "max_repeating_duplicate_ngram_ratio": 0.10},
    {"name": "bullet_ratio"}])");
}

nlohmann::json rule_set(const std::string& name) {
  if (name == "nemo_english") return nemo_english();
  if (name == "gopher_quality") {
    return {"gopher_word_count",       "gopher_mean_word_length", "gopher_hash_to_word",
            "gopher_ellipsis_to_word", "gopher_bullet_lines",     "gopher_ellipsis_lines",
            "gopher_alpha_words",      "gopher_stop_words"};
  }
  if (name == "gopher_repetition") {
    nlohmann::json set = {"gopher_dup_para_frac", "gopher_dup_para_char_frac",
                          "gopher_dup_line_frac", "gopher_dup_line_char_frac"};
    for (int n = 2; n <= 4; ++n) set.push_back({{"name", "gopher_top_ngram"}, {"n", n}});
    for (int n = 5; n <= 10; ++n) set.push_back({{"name", "gopher_dup_ngram"}, {"n", n}});
    return set;
  }
  if (name == "c4") return {"c4_lines", "c4_lorem_ipsum", "c4_curly_bracket", "c4_min_sentences"};
  return {"fineweb_line_punct_ratio", "fineweb_short_line_ratio", "fineweb_char_dup_ratio",
          "fineweb_list_ratio"};
}

void run_stage(benchmark::State& state, const nlohmann::json& filters, text::FilterMode mode) {
  text::HeuristicFilterOptions options;
  options.filters = text::parse_filter_list(filters, "bench");
  options.mode = mode;
  text::HeuristicFilterStage stage("heuristic_filter", options);
  std::size_t bytes = 0, documents = 0, kept = 0;
  for (auto _ : state) {
    for (const auto& batch : batches()) {
      // A shallow copy: the stage may replace columns of the batch it is given.
      auto outputs = stage.process(std::make_shared<DocumentBatch>(*batch));
      kept += outputs[0]->num_items();
      bytes += batch->text().total_bytes();
      documents += batch->num_rows();
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.SetItemsProcessed(static_cast<int64_t>(documents));
  state.counters["kept_%"] =
      100.0 * static_cast<double>(kept) / static_cast<double>(std::max<std::size_t>(documents, 1));
  state.counters["ns_per_doc"] =
      benchmark::Counter(static_cast<double>(documents) * 1e-9,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_NemoEnglishFused(benchmark::State& state) {
  run_stage(state, nemo_english(), text::FilterMode::kScoreAndFilter);
}
void BM_NemoEnglishAllRules(benchmark::State& state) {
  run_stage(state, nemo_english(), text::FilterMode::kScoreOnly);
}
BENCHMARK(BM_NemoEnglishFused)->Name("BM_NemoEnglish/fused")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NemoEnglishAllRules)->Name("BM_NemoEnglish/all_rules")->Unit(benchmark::kMillisecond);

void register_dynamic() {
  for (const char* set : {"gopher_quality", "gopher_repetition", "c4", "fineweb_quality"}) {
    benchmark::RegisterBenchmark(fmt::format("BM_RuleSet/{}", set).c_str(), [set](benchmark::State&
                                                                                      state) {
      run_stage(state, rule_set(set), text::FilterMode::kScoreAndFilter);
    })->Unit(benchmark::kMillisecond);
  }
  std::vector<nlohmann::json> rules;
  for (const auto& entry : nemo_english()) rules.push_back(entry);
  for (const char* set : {"gopher_quality", "gopher_repetition", "c4", "fineweb_quality"}) {
    for (const auto& entry : rule_set(set)) rules.push_back(entry);
  }
  for (const nlohmann::json& entry : rules) {
    const text::FilterEntry parsed = text::parse_filter_entry(entry, "bench");
    benchmark::RegisterBenchmark(
        fmt::format("BM_Rule/{}", parsed.filter->name()).c_str(),
        [filter = parsed.filter](benchmark::State& state) {
          text::AnalyzedDocument document;
          std::string rewritten;
          std::size_t documents = 0;
          for (auto _ : state) {
            for (const std::string& doc : corpus()) {
              document.reset(doc);
              benchmark::DoNotOptimize(filter->rewrites_text()
                                           ? filter->rewrite(document, rewritten)
                                           : filter->score(document));
            }
            documents += corpus().size();
          }
          state.counters["ns_per_doc"] =
              benchmark::Counter(static_cast<double>(documents) * 1e-9,
                                 benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
        })
        ->Unit(benchmark::kMicrosecond);
  }
}

// The per-rule table printed after the benchmarks. "in set": each rule's own time
// inside the fused set with every rule evaluated on every document, timed per call and
// scaled so that the column adds up to the measured CPU time of the whole set (wall
// clocks on a shared machine run slow uniformly); an analysis shared by several rules
// is charged to the first rule that asks for it. "alone": the rule on its own, paying
// for every analysis it needs (CPU time over the corpus).
double cpu_seconds(const std::function<void()>& work) {
  double best = 1e30;
  for (int round = 0; round < 3; ++round) {
    const std::clock_t start = std::clock();
    work();
    best = std::min(best, static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC);
  }
  return best;
}

void print_rule_costs() {
  const auto entries = text::parse_filter_list(nemo_english(), "bench");
  text::AnalyzedDocument document;
  std::vector<double> wall(entries.size(), 0.0);
  const double set_cpu = cpu_seconds([&] {
    for (const std::string& doc : corpus()) {
      document.reset(doc);
      for (std::size_t k = 0; k < entries.size(); ++k) {
        const auto start = std::chrono::steady_clock::now();
        benchmark::DoNotOptimize(entries[k].filter->score(document));
        wall[k] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      }
    }
  });
  double wall_total = 0;
  for (double seconds : wall) wall_total += seconds;
  const double docs = static_cast<double>(corpus().size());
  struct Row {
    std::string name;
    double in_set_ns;
    double alone_ns;
  };
  std::vector<Row> rows;
  for (std::size_t k = 0; k < entries.size(); ++k) {
    const double alone = cpu_seconds([&] {
      for (const std::string& doc : corpus()) {
        document.reset(doc);
        benchmark::DoNotOptimize(entries[k].filter->score(document));
      }
    });
    rows.push_back({entries[k].filter->name(), wall[k] / wall_total * set_cpu / docs * 1e9,
                    alone / docs * 1e9});
  }
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return a.in_set_ns > b.in_set_ns; });
  const double total_ns = set_cpu / docs * 1e9;
  fmt::print(
      "\nNeMo English rules, CPU ns per ~4 KB document, slowest first ('in set': own share of\n"
      "the fused set, shared analysis charged to its first user; 'alone': with all the\n"
      "analysis it needs):\n  {:<28} {:>10} {:>7} {:>10}\n",
      "rule", "in set", "", "alone");
  for (const Row& row : rows) {
    fmt::print("  {:<28} {:>7.0f} ns {:>6.1f}% {:>7.0f} ns\n", row.name, row.in_set_ns,
               100.0 * row.in_set_ns / total_ns, row.alone_ns);
  }
  fmt::print("  {:<28} {:>7.0f} ns  -> {:.0f} MB/s on one core, every rule on every document\n",
             "total", total_ns, static_cast<double>(kDocumentBytes) / total_ns * 1e3);
}

}  // namespace

int main(int argc, char** argv) {
  register_dynamic();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  print_rule_costs();
  return 0;
}
