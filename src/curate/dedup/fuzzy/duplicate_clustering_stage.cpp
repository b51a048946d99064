#include "curate/dedup/fuzzy/duplicate_clustering_stage.hpp"

#include "curate/core/byte_codec.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/core/row_block.hpp"
#include "curate/dedup/fuzzy/candidate_shingle_stage.hpp"
#include "curate/dedup/fuzzy/fuzzy_columns.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace curate::dedup {
namespace {

// A routed row: component, dedup id, user id (length-prefixed), then the shingle set.
struct RoutedDocument {
  int64_t component;
  int64_t doc;
  std::string_view user_id;
  std::size_t first_shingle;  // into the reduce's aligned shingle arena
  std::size_t shingle_count;
};

uint64_t mix(int64_t value) {
  // Components are smallest dedup ids, which cluster by file: spread them.
  uint64_t x = static_cast<uint64_t>(value) * 0x9E3779B97F4A7C15ull;
  return x ^ (x >> 29);
}

}  // namespace

DuplicateClusteringStage::DuplicateClusteringStage(FuzzyOptions options, CandidateIndexPtr index,
                                                   FuzzyStatsPtr stats, std::string name)
    : CloneableStage(std::move(name)),
      options_(std::move(options)),
      index_(std::move(index)),
      stats_(std::move(stats)) {}

StageIO DuplicateClusteringStage::inputs() const {
  return {{std::string(kDedupIdColumn), std::string(kComponentColumn), options_.id_field,
           std::string(kShingleSetColumn)}};
}

StageIO DuplicateClusteringStage::outputs() const { return {{"id", "kept_id", "similarity"}}; }

void DuplicateClusteringStage::route(const TaskPtr& input, int, ShuffleRouter& router) {
  const auto& batch = dynamic_cast<const DocumentBatch&>(*input);
  const auto ids = batch.int64s(kDedupIdColumn);
  const auto components = batch.int64s(kComponentColumn);
  const auto user_ids = batch.strings(options_.id_field);
  const auto sets = batch.strings(kShingleSetColumn);
  const auto partitions = static_cast<uint64_t>(options_.num_partitions);
  for (std::size_t row = 0; row < batch.num_rows(); ++row) {
    row_.clear();
    ByteWriter writer(row_);
    writer.put<int64_t>(components[row]);
    writer.put<int64_t>(ids[row]);
    writer.put_string(user_ids[row]);
    writer.put_raw(sets[row].data(), sets[row].size());
    router.emit(static_cast<int>(mix(components[row]) % partitions), row_);
  }
}

std::vector<TaskPtr> DuplicateClusteringStage::reduce(int, int partition,
                                                      std::vector<RowBlock> blocks) {
  // Parse every row once; shingles are copied into one aligned arena (rows in a block
  // are byte-packed), so each document's set is a span the Jaccard loop can read.
  std::size_t rows = 0;
  std::size_t shingle_bytes = 0;
  for (const auto& block : blocks) {
    rows += block.size();
    shingle_bytes += block.payload_bytes();
  }
  std::vector<RoutedDocument> docs;
  docs.reserve(rows);
  std::vector<uint64_t> arena;
  arena.reserve(shingle_bytes / sizeof(uint64_t));
  for (const auto& block : blocks) {
    for (std::string_view row : block) {
      ByteReader reader(row);
      RoutedDocument doc{};
      doc.component = reader.get<int64_t>();
      doc.doc = reader.get<int64_t>();
      doc.user_id = reader.get_string();
      const std::string_view set =
          row.substr(2 * sizeof(int64_t) + sizeof(uint64_t) + doc.user_id.size());
      if (set.size() % sizeof(uint64_t) != 0) {
        throw std::runtime_error("verify_and_cluster: a routed shingle set of " +
                                 std::to_string(set.size()) + " bytes is not whole");
      }
      doc.first_shingle = arena.size();
      doc.shingle_count = set.size() / sizeof(uint64_t);
      arena.resize(arena.size() + doc.shingle_count);
      if (!set.empty()) std::memcpy(arena.data() + doc.first_shingle, set.data(), set.size());
      docs.push_back(doc);
    }
  }
  std::sort(docs.begin(), docs.end(), [](const RoutedDocument& a, const RoutedDocument& b) {
    return a.component != b.component ? a.component < b.component : a.doc < b.doc;
  });

  std::vector<ClusterDocument> members;
  std::vector<ClusterRemoval> removals;
  struct Removed {
    int64_t doc;
    std::size_t removed;  // into docs
    std::size_t kept;
    double similarity;
  };
  std::vector<Removed> removed;
  ClusterCounts counts;
  for (std::size_t begin = 0; begin < docs.size();) {
    std::size_t end = begin + 1;
    while (end < docs.size() && docs[end].component == docs[begin].component) ++end;
    members.clear();
    for (std::size_t i = begin; i < end; ++i) {
      const auto position = index_->find(docs[i].doc);
      if (!position) {
        throw std::logic_error("verify_and_cluster: document " + std::to_string(docs[i].doc) +
                               " is not a candidate");
      }
      members.push_back(
          {docs[i].doc,
           std::span<const uint64_t>(arena.data() + docs[i].first_shingle, docs[i].shingle_count),
           index_->buckets(*position)});
    }
    removals.clear();
    clusterer_.cluster(members, options_.jaccard_threshold, removals, counts);
    for (const auto& removal : removals) {
      removed.push_back({docs[begin + removal.removed].doc, begin + removal.removed,
                         begin + removal.kept, removal.similarity});
    }
    begin = end;
  }
  stats_->candidate_pairs.fetch_add(counts.pairs_compared, std::memory_order_relaxed);
  stats_->verified_pairs.fetch_add(counts.pairs_verified, std::memory_order_relaxed);
  stats_->documents_removed.fetch_add(removed.size(), std::memory_order_relaxed);
  if (removed.empty()) return {};

  std::sort(removed.begin(), removed.end(),
            [](const Removed& a, const Removed& b) { return a.doc < b.doc; });
  StringColumn ids;
  StringColumn kept_ids;
  std::vector<double> similarity;
  for (const auto& r : removed) {
    ids.append(docs[r.removed].user_id);
    kept_ids.append(docs[r.kept].user_id);
    similarity.push_back(r.similarity);
  }
  // Named by partition, so the removal list's files are the same for any worker count.
  auto out = std::make_shared<DocumentBatch>(fmt::format("part.{:05}", partition), "", "id");
  out->set_column("id", std::move(ids));
  out->set_column("kept_id", std::move(kept_ids));
  out->set_column("similarity", std::move(similarity));
  return {out};
}

StageRecipe DuplicateClusteringStage::recipe() const {
  return {std::string(kDuplicateClusteringStageType), fuzzy_options_to_json(options_),
          index_->to_bytes()};
}

nlohmann::json DuplicateClusteringStage::counters() const { return stats_->counters(); }

void DuplicateClusteringStage::merge_counters(const nlohmann::json& counters) {
  stats_->merge(counters);
}

}  // namespace curate::dedup
