// FuzzyDeduplicationWorkflow against exact all-pairs Jaccard on generated corpora with
// planted near duplicates: recall of true pairs, the evidence of every removal, and the
// same removal list for any worker count, batch size and file grouping.

#include "curate/backends/local/local_executor.hpp"
#include "curate/dedup/fuzzy/fuzzy_deduplication_workflow.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace curate::dedup {
namespace {

namespace fs = std::filesystem;

using curate::testing::TempDir;

struct Document {
  std::string id;
  std::string text;
};

// Originals of random words; near copies with a few words replaced; exact copies.
std::vector<Document> make_corpus(int originals, int copies, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 3000; ++i) {
    std::string word;
    const int length = 3 + static_cast<int>(random() % 7);
    for (int c = 0; c < length; ++c) word += static_cast<char>('a' + random() % 26);
    vocabulary.push_back(word);
  }
  auto random_words = [&](int count) {
    std::vector<std::string> words;
    for (int i = 0; i < count; ++i) words.push_back(vocabulary[random() % vocabulary.size()]);
    return words;
  };
  auto join = [](const std::vector<std::string>& words) {
    std::string text;
    for (const auto& w : words) {
      if (!text.empty()) text += ' ';
      text += w;
    }
    return text;
  };
  std::vector<std::vector<std::string>> bodies;
  std::vector<Document> docs;
  for (int i = 0; i < originals; ++i) {
    bodies.push_back(random_words(120 + static_cast<int>(random() % 200)));
    docs.push_back({fmt::format("doc-{}", docs.size()), join(bodies.back())});
  }
  for (int i = 0; i < copies; ++i) {
    auto words = bodies[random() % bodies.size()];
    const int edits = static_cast<int>(random() % 6);  // 0: an exact copy
    for (int e = 0; e < edits; ++e)
      words[random() % words.size()] = vocabulary[random() % vocabulary.size()];
    if (random() % 4 == 0) words.insert(words.begin() + random() % words.size(), "Inserted,");
    // Put the copy at a random position so sources and copies interleave.
    const auto position = random() % (docs.size() + 1);
    docs.insert(docs.begin() + position, {fmt::format("copy-{}", i), join(words)});
  }
  return docs;
}

void write_corpus(const std::vector<Document>& docs, const fs::path& dir, int files) {
  fs::create_directories(dir);
  const std::size_t per_file = (docs.size() + files - 1) / files;
  for (int f = 0; f < files; ++f) {
    std::ofstream out(dir / fmt::format("part_{:02}.jsonl", f));
    for (std::size_t i = f * per_file; i < std::min(docs.size(), (f + 1) * per_file); ++i) {
      out << nlohmann::json{{"id", docs[i].id}, {"text", docs[i].text}}.dump() << "\n";
    }
  }
}

// The test's own shingling: lowercase, ASCII punctuation to spaces, word n-grams; or
// code-point n-grams over whitespace-collapsed lowercase text (ASCII corpora only). The
// set holds std::hash of each shingle string (not the engine's XXH3), sorted.
std::vector<uint64_t> shingles(const std::string& text, ShingleKind kind, int n) {
  std::string norm;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    norm +=
        kind == ShingleKind::kWord && std::ispunct(u) ? ' ' : static_cast<char>(std::tolower(u));
  }
  std::istringstream in(norm);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  std::string joined;
  std::vector<std::size_t> starts;
  for (const auto& w : words) {
    if (!joined.empty()) joined += ' ';
    starts.push_back(joined.size());
    joined += w;
  }
  std::vector<uint64_t> out;
  const std::hash<std::string_view> hash;
  const std::string_view all(joined);
  if (kind == ShingleKind::kWord) {
    if (static_cast<int>(words.size()) < n) {
      out.push_back(hash(all));
    } else {
      for (std::size_t i = 0; i + n <= words.size(); ++i) {
        const std::size_t end = i + n < words.size() ? starts[i + n] - 1 : joined.size();
        out.push_back(hash(all.substr(starts[i], end - starts[i])));
      }
    }
  } else if (static_cast<int>(joined.size()) < n) {
    out.push_back(hash(all));
  } else {
    for (std::size_t i = 0; i + n <= joined.size(); ++i) out.push_back(hash(all.substr(i, n)));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double exact_jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  std::size_t common = 0;
  for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j]) {
      ++common, ++i, ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  const std::size_t all = a.size() + b.size() - common;
  return all == 0 ? 1.0 : static_cast<double>(common) / all;
}

struct Removal {
  std::string id;
  std::string kept_id;
  double similarity;
  bool operator<(const Removal& other) const { return id < other.id; }
};

std::vector<Removal> read_removals(const fs::path& dir) {
  std::vector<Removal> removals;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
      const auto record = nlohmann::json::parse(line);
      removals.push_back({record.at("id"), record.at("kept_id"), record.at("similarity")});
    }
  }
  return removals;
}

struct RunResult {
  std::vector<Removal> removals;
  nlohmann::json stats;
};

RunResult run_workflow(const fs::path& input, const fs::path& output, FuzzyOptions options,
                       int workers, int files_per_partition = 1, std::size_t batch_rows = 10'000,
                       std::size_t max_line_bytes = 16u << 20) {
  FuzzyDeduplicationConfig config;
  config.input.paths = {input.string()};
  config.input.max_line_bytes = max_line_bytes;
  config.input.files_per_partition = files_per_partition;
  config.input.batch_rows = batch_rows;
  config.output_path = output.string();
  config.overwrite = true;
  config.options = options;
  FuzzyDeduplicationWorkflow workflow(config);
  backends::LocalExecutor executor(nlohmann::json{{"num_cpus", workers}});
  RunResult result;
  result.stats = workflow.run(executor);
  result.removals = read_removals(workflow.removal_list_dir());
  return result;
}

// The quality bar: >= 99% of true pairs (Jaccard >= threshold) lose a side, and every
// removal names a kept document at or above the threshold, recomputed here.
void check_quality(const std::vector<Document>& docs, const std::vector<Removal>& removals,
                   ShingleKind kind, int n, double threshold) {
  std::map<std::string, std::size_t> position;
  std::vector<std::vector<uint64_t>> sets;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    position[docs[i].id] = i;
    sets.push_back(shingles(docs[i].text, kind, n));
  }
  std::set<std::string> removed;
  for (const auto& r : removals) {
    ASSERT_TRUE(removed.insert(r.id).second) << r.id << " removed twice";
  }
  for (const auto& r : removals) {
    ASSERT_TRUE(position.count(r.id)) << r.id;
    ASSERT_TRUE(position.count(r.kept_id)) << r.kept_id;
    EXPECT_FALSE(removed.count(r.kept_id))
        << r.id << " names " << r.kept_id << ", which is removed too";
    EXPECT_LT(position[r.kept_id], position[r.id])
        << "the kept document comes first in input order";
    const double j = exact_jaccard(sets[position[r.id]], sets[position[r.kept_id]]);
    EXPECT_GE(j, threshold) << r.id << " vs " << r.kept_id;
    EXPECT_NEAR(r.similarity, j, 1e-9) << r.id << " vs " << r.kept_id;
  }
  std::size_t true_pairs = 0;
  std::size_t covered = 0;
  for (std::size_t a = 0; a < docs.size(); ++a) {
    for (std::size_t b = a + 1; b < docs.size(); ++b) {
      if (exact_jaccard(sets[a], sets[b]) < threshold) continue;
      ++true_pairs;
      covered += removed.count(docs[a].id) || removed.count(docs[b].id);
    }
  }
  ASSERT_GT(true_pairs, 50u) << "the corpus must plant enough near duplicates";
  std::cout << "true pairs " << true_pairs << ", with a side removed " << covered << ", removals "
            << removals.size() << "\n";
  EXPECT_GE(static_cast<double>(covered), 0.99 * true_pairs) << covered << " of " << true_pairs;
}

TEST(FuzzyDeduplicationWorkflow, WordShinglesFindTruePairsWithEvidence) {
  TempDir dir;
  const auto docs = make_corpus(300, 200, 7);
  write_corpus(docs, dir.path() / "in", 4);
  FuzzyOptions options;
  const auto result = run_workflow(dir.path() / "in", dir.path() / "out", options, 2);
  check_quality(docs, result.removals, ShingleKind::kWord, 5, 0.8);
  EXPECT_EQ(result.stats.at("documents"), docs.size());
  EXPECT_EQ(result.stats.at("documents_removed"), result.removals.size());
  EXPECT_GE(result.stats.at("verified_pairs").get<uint64_t>(), result.removals.size());
}

TEST(FuzzyDeduplicationWorkflow, CharShinglesFindTruePairsWithEvidence) {
  TempDir dir;
  const auto docs = make_corpus(200, 150, 11);
  write_corpus(docs, dir.path() / "in", 3);
  FuzzyOptions options;
  options.shingles.kind = ShingleKind::kChar;
  options.shingles.n = 24;
  const auto result = run_workflow(dir.path() / "in", dir.path() / "out", options, 2);
  check_quality(docs, result.removals, ShingleKind::kChar, 24, 0.8);
}

TEST(FuzzyDeduplicationWorkflow, ClassicSketchAlsoMeetsTheBar) {
  TempDir dir;
  const auto docs = make_corpus(200, 150, 5);
  write_corpus(docs, dir.path() / "in", 2);
  FuzzyOptions options;
  options.sketch = SketchKind::kClassic;
  const auto result = run_workflow(dir.path() / "in", dir.path() / "out", options, 1);
  check_quality(docs, result.removals, ShingleKind::kWord, 5, 0.8);
}

TEST(FuzzyDeduplicationWorkflow, RemovalListIsTheSameForAnyWorkersBatchesAndGrouping) {
  TempDir dir;
  const auto docs = make_corpus(150, 120, 3);
  write_corpus(docs, dir.path() / "in", 5);
  FuzzyOptions options;
  options.num_partitions = 7;
  const auto reference = run_workflow(dir.path() / "in", dir.path() / "ref", options, 1);
  ASSERT_FALSE(reference.removals.empty());
  struct Case {
    int workers;
    int files_per_partition;
    std::size_t batch_rows;
  };
  for (const Case c :
       {Case{2, 1, 10'000}, Case{4, 2, 7}, Case{4, 5, 64}, Case{1, 3, 1}, Case{2, 1, 10'000}}) {
    SCOPED_TRACE(fmt::format("workers={} files_per_partition={} batch_rows={}", c.workers,
                             c.files_per_partition, c.batch_rows));
    const auto result = run_workflow(dir.path() / "in", dir.path() / "out", options, c.workers,
                                     c.files_per_partition, c.batch_rows);
    ASSERT_EQ(result.removals.size(), reference.removals.size());
    for (std::size_t i = 0; i < result.removals.size(); ++i) {
      EXPECT_EQ(result.removals[i].id, reference.removals[i].id);
      EXPECT_EQ(result.removals[i].kept_id, reference.removals[i].kept_id);
      EXPECT_EQ(result.removals[i].similarity, reference.removals[i].similarity);
    }
  }
}

TEST(FuzzyDeduplicationWorkflow, EveryDocumentTheSameKeepsTheFirst) {
  TempDir dir;
  std::vector<Document> docs;
  for (int i = 0; i < 300; ++i)
    docs.push_back({fmt::format("d{:03}", i), "the very same text of a document, again and again"});
  write_corpus(docs, dir.path() / "in", 3);
  const auto result = run_workflow(dir.path() / "in", dir.path() / "out", FuzzyOptions{}, 2);
  ASSERT_EQ(result.removals.size(), 299u);
  for (const auto& r : result.removals) {
    EXPECT_EQ(r.kept_id, "d000");
    EXPECT_EQ(r.similarity, 1.0);
  }
  EXPECT_EQ(result.stats.at("largest_component"), 300u);
  // Each copy is compared with the one kept document only: no quadratic blow-up.
  EXPECT_EQ(result.stats.at("candidate_pairs"), 299u);
}

TEST(FuzzyDeduplicationWorkflow, NoDuplicatesRemovesNothing) {
  TempDir dir;
  const auto docs = make_corpus(300, 0, 9);
  write_corpus(docs, dir.path() / "in", 2);
  const auto result = run_workflow(dir.path() / "in", dir.path() / "out", FuzzyOptions{}, 2);
  EXPECT_TRUE(result.removals.empty());
  EXPECT_EQ(result.stats.at("documents_removed"), 0u);
}

TEST(FuzzyDeduplicationWorkflow, EmptyAndShortTextsAreHandled) {
  TempDir dir;
  std::vector<Document> docs{{"e1", ""},
                             {"s1", "hi"},
                             {"e2", ""},
                             {"s2", "hi"},
                             {"s3", "Hi!"},
                             {"w1", "one two three"},
                             {"w2", "one two four"}};
  write_corpus(docs, dir.path() / "in", 1);
  const auto result = run_workflow(dir.path() / "in", dir.path() / "out", FuzzyOptions{}, 2);
  std::map<std::string, std::string> kept_for;
  for (const auto& r : result.removals) kept_for[r.id] = r.kept_id;
  // Texts shorter than n are one shingle: the whole normalised text.
  EXPECT_EQ(kept_for["e2"], "e1");
  EXPECT_EQ(kept_for["s2"], "s1");
  EXPECT_EQ(kept_for["s3"], "s1");
  EXPECT_FALSE(kept_for.count("w2"));
}

TEST(FuzzyDeduplicationWorkflow, AFiftyMegabyteDocumentIsSketched) {
  TempDir dir;
  std::vector<Document> docs = make_corpus(20, 10, 13);
  std::string big;
  std::mt19937_64 random(1);
  while (big.size() < (50u << 20)) big += fmt::format("w{} ", random() % 100000);
  docs.push_back({"big", big});
  docs.push_back({"big-copy", big});
  write_corpus(docs, dir.path() / "in", 1);
  const auto result =
      run_workflow(dir.path() / "in", dir.path() / "out", FuzzyOptions{}, 2, 1, 10'000, 64u << 20);
  bool found = false;
  for (const auto& r : result.removals) found |= r.id == "big-copy" && r.kept_id == "big";
  EXPECT_TRUE(found);
}

TEST(FuzzyDeduplicationWorkflow, BadOptionsAreRejectedBeforeAnythingRuns) {
  FuzzyDeduplicationConfig config;
  config.input.paths = {"/nonexistent"};
  config.output_path = "/tmp/x";
  EXPECT_THROW(FuzzyDeduplicationWorkflow{config}, std::invalid_argument);
  config.options.jaccard_threshold = 1.5;
  EXPECT_THROW(FuzzyDeduplicationWorkflow{config}, std::invalid_argument);
  config.options.jaccard_threshold = 0.8;
  config.options.bands_per_iteration = 0;
  EXPECT_THROW(FuzzyDeduplicationWorkflow{config}, std::invalid_argument);
}

}  // namespace
}  // namespace curate::dedup
