#include "curate/dedup/fuzzy/connected_components_stage.hpp"

#include "curate/core/byte_codec.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/core/gang.hpp"
#include "curate/dedup/fuzzy/fuzzy_columns.hpp"
#include "curate/dedup/fuzzy/union_find.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace curate::dedup {
namespace {

// Dense indices for a set of documents: a sorted, unique list searched by bisection
// (no hash map, no allocation per document).
struct DenseIds {
  std::vector<int64_t> ids;
  explicit DenseIds(std::vector<int64_t> docs) : ids(std::move(docs)) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  }
  uint32_t index(int64_t doc) const {
    return static_cast<uint32_t>(std::lower_bound(ids.begin(), ids.end(), doc) - ids.begin());
  }
};

// The smallest member of each set, indexed by dense index.
std::vector<int64_t> smallest_of_each_set(UnionFind& sets, const DenseIds& dense) {
  std::vector<int64_t> smallest(dense.ids.size(), INT64_MAX);
  for (uint32_t i = 0; i < dense.ids.size(); ++i) {
    auto& root = smallest[sets.find(i)];
    root = std::min(root, dense.ids[i]);
  }
  std::vector<int64_t> label(dense.ids.size());
  for (uint32_t i = 0; i < dense.ids.size(); ++i) label[i] = smallest[sets.find(i)];
  return label;
}

std::string encode_pairs(const std::vector<ForestEntry>& pairs) {
  std::string out;
  out.reserve(pairs.size() * 16 + 8);
  ByteWriter writer(out);
  writer.put<uint64_t>(pairs.size());
  writer.put_raw(pairs.data(), pairs.size() * sizeof(pairs[0]));
  return out;
}

std::vector<ForestEntry> decode_pairs(std::string_view bytes) {
  if (bytes.empty()) return {};
  ByteReader reader(bytes);
  std::vector<ForestEntry> pairs(reader.get<uint64_t>());
  const auto raw = reader.take(pairs.size() * sizeof(pairs[0]));
  // An empty vector's data() may be null, which memcpy must not get even for 0 bytes.
  if (!raw.empty()) std::memcpy(pairs.data(), raw.data(), raw.size());
  return pairs;
}

std::string encode_labels(const std::vector<int64_t>& labels) {
  std::string out;
  ByteWriter writer(out);
  writer.put<uint64_t>(labels.size());
  writer.put_raw(labels.data(), labels.size() * sizeof(int64_t));
  return out;
}

std::vector<int64_t> decode_labels(std::string_view bytes) {
  ByteReader reader(bytes);
  std::vector<int64_t> labels(reader.get<uint64_t>());
  const auto raw = reader.take(labels.size() * sizeof(int64_t));
  if (!raw.empty()) std::memcpy(labels.data(), raw.data(), raw.size());
  return labels;
}

}  // namespace

ConnectedComponentsStage::ConnectedComponentsStage(FuzzyStatsPtr stats, std::string name)
    : CloneableStage(std::move(name)), stats_(std::move(stats)) {}

StageIO ConnectedComponentsStage::inputs() const {
  return {{std::string(kBucketColumn), std::string(kDedupIdColumn)}};
}

StageIO ConnectedComponentsStage::outputs() const {
  return {{std::string(kComponentColumn), std::string(kDedupIdColumn), std::string(kBucketColumn)}};
}

void ConnectedComponentsStage::setup(const WorkerMetadata& worker) {
  if (!worker.gang) {
    throw std::logic_error("stage '" + name() +
                           "' needs a gang: run it with an executor that supports is_raft_actor");
  }
  gang_ = worker.gang;
  rows_.clear();
}

std::vector<TaskPtr> ConnectedComponentsStage::process(TaskPtr task) {
  const auto& batch = dynamic_cast<const DocumentBatch&>(*task);
  const auto buckets = batch.int64s(kBucketColumn);
  const auto docs = batch.int64s(kDedupIdColumn);
  rows_.reserve(rows_.size() + docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) {
    rows_.emplace_back(static_cast<uint64_t>(buckets[i]), docs[i]);
  }
  return {};
}

std::vector<std::vector<int64_t>> merge_forests(
    const std::vector<std::vector<ForestEntry>>& forests, FuzzyStats* stats) {
  std::vector<int64_t> all;
  for (const auto& forest : forests) {
    for (const auto& [doc, root] : forest) {
      all.push_back(doc);
      all.push_back(root);
    }
  }
  DenseIds dense(std::move(all));
  UnionFind sets(dense.ids.size());
  for (const auto& forest : forests) {
    for (const auto& [doc, root] : forest) sets.unite(dense.index(doc), dense.index(root));
  }
  const auto label = smallest_of_each_set(sets, dense);
  if (stats) {
    std::vector<uint32_t> sizes(dense.ids.size(), 0);
    for (uint32_t i = 0; i < dense.ids.size(); ++i) ++sizes[sets.find(i)];
    uint64_t components = 0;
    for (uint32_t size : sizes) {
      if (size >= 2) {
        ++components;
        stats->note_component(size);
      }
    }
    stats->components.fetch_add(components, std::memory_order_relaxed);
    stats->candidate_documents.fetch_add(dense.ids.size(), std::memory_order_relaxed);
  }
  std::vector<std::vector<int64_t>> labels(forests.size());
  for (std::size_t m = 0; m < forests.size(); ++m) {
    labels[m].reserve(forests[m].size());
    for (const auto& [doc, root] : forests[m]) labels[m].push_back(label[dense.index(doc)]);
  }
  return labels;
}

std::vector<TaskPtr> ConnectedComponentsStage::finish() {
  // Local components: every bucket is whole here, so consecutive members suffice.
  std::sort(rows_.begin(), rows_.end());
  std::vector<int64_t> docs;
  docs.reserve(rows_.size());
  for (const auto& row : rows_) docs.push_back(row.second);
  DenseIds dense(std::move(docs));
  UnionFind sets(dense.ids.size());
  for (std::size_t i = 1; i < rows_.size(); ++i) {
    if (rows_[i].first == rows_[i - 1].first) {
      sets.unite(dense.index(rows_[i].second), dense.index(rows_[i - 1].second));
    }
  }
  const auto local = smallest_of_each_set(sets, dense);
  std::vector<ForestEntry> forest(dense.ids.size());
  for (std::size_t i = 0; i < dense.ids.size(); ++i) forest[i] = {dense.ids[i], local[i]};

  // Gather the forests on member 0, which sends back every member's global labels.
  const int members = gang_->size();
  std::vector<std::string> outgoing(members);
  outgoing[0] = encode_pairs(forest);
  auto incoming = gang_->all_to_all(std::move(outgoing));
  std::vector<std::string> replies(members);
  if (gang_->index() == 0) {
    std::vector<std::vector<ForestEntry>> forests(members);
    for (int m = 0; m < members; ++m) forests[m] = decode_pairs(incoming[m]);
    auto labels = merge_forests(forests, stats_.get());
    for (int m = 0; m < members; ++m) replies[m] = encode_labels(labels[m]);
  }
  incoming = gang_->all_to_all(std::move(replies));
  const auto global = decode_labels(incoming[0]);
  if (global.size() != dense.ids.size()) {
    throw std::runtime_error("connected components: member 0 sent " +
                             std::to_string(global.size()) + " labels for " +
                             std::to_string(dense.ids.size()) + " documents");
  }

  std::vector<int64_t> components;
  std::vector<int64_t> out_docs;
  std::vector<int64_t> out_buckets;
  components.reserve(rows_.size());
  out_docs.reserve(rows_.size());
  out_buckets.reserve(rows_.size());
  for (const auto& [bucket, doc] : rows_) {
    components.push_back(global[dense.index(doc)]);
    out_docs.push_back(doc);
    out_buckets.push_back(static_cast<int64_t>(bucket));
  }
  rows_.clear();
  rows_.shrink_to_fit();
  if (out_docs.empty()) return {};
  auto out = std::make_shared<DocumentBatch>();
  out->set_column(std::string(kComponentColumn), std::move(components));
  out->set_column(std::string(kDedupIdColumn), std::move(out_docs));
  out->set_column(std::string(kBucketColumn), std::move(out_buckets));
  return {out};
}

StageRecipe ConnectedComponentsStage::recipe() const {
  return {std::string(kConnectedComponentsStageType), nlohmann::json::object(), {}};
}

nlohmann::json ConnectedComponentsStage::counters() const { return stats_->counters(); }

void ConnectedComponentsStage::merge_counters(const nlohmann::json& counters) {
  stats_->merge(counters);
}

}  // namespace curate::dedup
