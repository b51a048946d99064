#include "curate/dedup/fuzzy/candidate_index.hpp"

#include "curate/core/byte_codec.hpp"
#include "curate/core/document_batch.hpp"
#include "curate/dedup/fuzzy/fuzzy_columns.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <tuple>

namespace curate::dedup {

std::shared_ptr<const CandidateIndex> CandidateIndex::build(const std::vector<TaskPtr>& labelled) {
  struct Row {
    int64_t doc;
    uint64_t bucket;
    int64_t component;
  };
  std::size_t total = 0;
  for (const auto& task : labelled) total += task->num_items();
  std::vector<Row> rows;
  rows.reserve(total);
  for (const auto& task : labelled) {
    const auto& batch = dynamic_cast<const DocumentBatch&>(*task);
    const auto components = batch.int64s(kComponentColumn);
    const auto docs = batch.int64s(kDedupIdColumn);
    const auto buckets = batch.int64s(kBucketColumn);
    for (std::size_t i = 0; i < docs.size(); ++i) {
      rows.push_back({docs[i], static_cast<uint64_t>(buckets[i]), components[i]});
    }
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    return std::tie(a.doc, a.bucket) < std::tie(b.doc, b.bucket);
  });

  auto index = std::make_shared<CandidateIndex>();
  index->buckets_.reserve(rows.size());
  index->offsets_.push_back(0);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i == 0 || rows[i].doc != rows[i - 1].doc) {
      if (i != 0) index->offsets_.push_back(index->buckets_.size());
      index->docs_.push_back(rows[i].doc);
      index->components_.push_back(rows[i].component);
    } else if (rows[i].component != index->components_.back()) {
      throw std::logic_error("candidate index: document " + std::to_string(rows[i].doc) +
                             " has two components");
    }
    if (i == 0 || rows[i].doc != rows[i - 1].doc || rows[i].bucket != rows[i - 1].bucket) {
      index->buckets_.push_back(rows[i].bucket);
    }
  }
  if (!rows.empty()) index->offsets_.push_back(index->buckets_.size());
  return index;
}

std::optional<std::size_t> CandidateIndex::find(int64_t doc) const {
  const auto it = std::lower_bound(docs_.begin(), docs_.end(), doc);
  if (it == docs_.end() || *it != doc) return std::nullopt;
  return static_cast<std::size_t>(it - docs_.begin());
}

std::size_t CandidateIndex::memory_bytes() const {
  return (docs_.size() + components_.size()) * sizeof(int64_t) +
         (offsets_.size() + buckets_.size()) * sizeof(uint64_t);
}

namespace {

template <typename T>
void put_array(ByteWriter& writer, const std::vector<T>& values) {
  writer.put<uint64_t>(values.size());
  writer.put_raw(values.data(), values.size() * sizeof(T));
}

template <typename T>
void get_array(ByteReader& reader, std::vector<T>& values) {
  const auto count = reader.get<uint64_t>();
  if (count > UINT64_MAX / sizeof(T)) throw std::runtime_error("an impossible length");
  const auto raw = reader.take(count * sizeof(T));
  values.resize(count);
  // An empty vector's data() may be null, which memcpy must not get even for 0 bytes.
  if (!raw.empty()) std::memcpy(values.data(), raw.data(), raw.size());
}

}  // namespace

std::string CandidateIndex::to_bytes() const {
  std::string out;
  out.reserve(memory_bytes() + 4 * sizeof(uint64_t));
  ByteWriter writer(out);
  put_array(writer, docs_);
  put_array(writer, components_);
  put_array(writer, offsets_);
  put_array(writer, buckets_);
  return out;
}

std::shared_ptr<const CandidateIndex> CandidateIndex::from_bytes(std::string_view bytes) {
  auto index = std::make_shared<CandidateIndex>();
  try {
    ByteReader reader(bytes);
    get_array(reader, index->docs_);
    get_array(reader, index->components_);
    get_array(reader, index->offsets_);
    get_array(reader, index->buckets_);
    if (!reader.done()) throw std::runtime_error("trailing bytes");
  } catch (const std::exception& error) {
    throw std::invalid_argument(std::string("candidate index: damaged bytes (") + error.what() +
                                ")");
  }
  const bool consistent =
      index->components_.size() == index->docs_.size() &&
      (index->docs_.empty() ? index->offsets_.size() <= 1
                            : index->offsets_.size() == index->docs_.size() + 1 &&
                                  index->offsets_.back() == index->buckets_.size());
  if (!consistent) throw std::invalid_argument("candidate index: inconsistent array sizes");
  return index;
}

}  // namespace curate::dedup
