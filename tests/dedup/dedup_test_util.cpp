#include "dedup_test_util.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

namespace curate::dedup::testing {

std::vector<Document> write_corpus(const std::string& folder, int files, int documents,
                                   int distinct, unsigned seed) {
  std::mt19937 random(seed);
  std::vector<std::string> pool;
  for (int i = 0; i < distinct; ++i) {
    // Every 10th text is empty; the others differ, some only in their last character.
    pool.push_back(i % 10 == 9 ? std::string()
                               : fmt::format("text number {} with \"quotes\" and \u00e9 {}", i / 2,
                                             i % 2 ? "a" : "b"));
  }
  std::vector<Document> out;
  std::vector<std::string> contents(static_cast<std::size_t>(files));
  for (int d = 0; d < documents; ++d) {
    Document doc;
    doc.id = fmt::format("doc-{}", d);
    doc.text = distinct > 0 ? pool[random() % pool.size()] : fmt::format("unique text {}", d);
    nlohmann::json record = {{"id", doc.id}, {"text", doc.text}, {"n", d}};
    doc.line = record.dump();
    // Consecutive documents go to the same file, so input order is document order.
    auto& content = contents[static_cast<std::size_t>(d * files / documents)];
    if (random() % 13 == 0) content += "\n";
    content += doc.line + "\n";
    out.push_back(std::move(doc));
  }
  for (int f = 0; f < files; ++f) {
    write_file(fmt::format("{}/part_{:03}.jsonl", folder, f),
               contents[static_cast<std::size_t>(f)]);
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> expected_removals(
    const std::vector<Document>& documents) {
  std::unordered_map<std::string, std::string> first;
  std::vector<std::pair<std::string, std::string>> removals;
  for (const Document& doc : documents) {
    const auto [it, inserted] = first.try_emplace(doc.text, doc.id);
    if (!inserted) removals.emplace_back(doc.id, it->second);
  }
  return removals;
}

std::map<std::string, std::string> folder_contents(const std::string& folder) {
  std::map<std::string, std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    out[entry.path().filename().string()] = read_file(entry.path().string());
  }
  return out;
}

}  // namespace curate::dedup::testing
