#include "curate/dedup/exact/exact_duplicates_stage.hpp"

#include "curate/core/document_batch.hpp"
#include "curate/io/dedup_id.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace curate::dedup {
namespace {

constexpr std::size_t kHashBytes = 16;
constexpr std::size_t kRowHeader = kHashBytes + 8;  // hash, dedup id; then the user id

// One routed document, as reduce sorts it; the user id stays in its block.
struct Entry {
  std::uint64_t hash_low;
  std::uint64_t hash_high;
  std::int64_t dedup_id;
  std::uint32_t block;
  std::uint32_t row;
};

std::uint64_t load_u64(const char* bytes) {
  std::uint64_t value;
  std::memcpy(&value, bytes, 8);
  return value;
}

}  // namespace

ExactDuplicatesStage::ExactDuplicatesStage(ExactDuplicatesOptions options, std::string name)
    : CloneableStage(std::move(name)), options_(std::move(options)), hasher_(options_.hash) {
  auto fail = [&](const std::string& message) {
    throw std::invalid_argument(fmt::format("stage '{}': {}", this->name(), message));
  };
  if (options_.text_field.empty()) fail("text_field must not be empty");
  if (options_.id_field.empty()) fail("id_field must not be empty");
  if (options_.num_partitions < 1) {
    fail(fmt::format("num_partitions must be at least 1, got {}", options_.num_partitions));
  }
}

StageIO ExactDuplicatesStage::inputs() const {
  return {{options_.text_field, options_.id_field, std::string(io::kDedupIdColumn)}, false};
}

StageIO ExactDuplicatesStage::outputs() const {
  return {{std::string(kRemovedIdColumn), std::string(kKeptIdColumn),
           std::string(io::kDedupIdColumn), std::string(kKeptDedupIdColumn)},
          false};
}

void ExactDuplicatesStage::route(const TaskPtr& input, int, ShuffleRouter& router) {
  const auto* batch = dynamic_cast<const DocumentBatch*>(input.get());
  if (batch == nullptr) {
    throw std::invalid_argument(fmt::format("stage '{}' reads DocumentBatches, got a {}", name(),
                                            input ? input->type_name() : "null task"));
  }
  if (!batch->has_column(io::kDedupIdColumn)) {
    throw std::invalid_argument(fmt::format(
        "stage '{}': batch '{}' has no '{}' column; set add_dedup_id: true on the jsonl_reader",
        name(), batch->task_id(), io::kDedupIdColumn));
  }
  const StringColumnView texts = batch->strings(options_.text_field);
  const StringColumnView ids = batch->strings(options_.id_field);
  const auto dedup_ids = batch->int64s(io::kDedupIdColumn);
  const auto partitions = static_cast<std::uint64_t>(options_.num_partitions);
  for (std::size_t i = 0; i < batch->num_rows(); ++i) {
    const Digest128 digest = hasher_.hash(texts[i]);
    const std::string_view id = ids[i];
    row_.resize(kRowHeader + id.size());
    std::memcpy(row_.data(), digest.data(), kHashBytes);
    std::memcpy(row_.data() + kHashBytes, &dedup_ids[i], 8);
    std::memcpy(row_.data() + kRowHeader, id.data(), id.size());
    const std::uint64_t low = load_u64(row_.data());
    router.emit(static_cast<int>(low % partitions), row_);
  }
}

std::vector<TaskPtr> ExactDuplicatesStage::reduce(int, int partition,
                                                  std::vector<RowBlock> blocks) {
  std::size_t total = 0;
  for (const RowBlock& block : blocks) total += block.size();
  std::vector<Entry> entries;
  entries.reserve(total);
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    for (std::size_t r = 0; r < blocks[b].size(); ++r) {
      const std::string_view row = blocks[b].row(r);
      if (row.size() < kRowHeader) {
        throw std::runtime_error(fmt::format("stage '{}': routed row of {} bytes, shorter than {}",
                                             name(), row.size(), kRowHeader));
      }
      entries.push_back(Entry{load_u64(row.data()), load_u64(row.data() + 8),
                              static_cast<std::int64_t>(load_u64(row.data() + kHashBytes)),
                              static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(r)});
    }
  }
  // Equal hashes become neighbours, the smallest dedup id (first in input) leading.
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.hash_low, a.hash_high, a.dedup_id) <
           std::tie(b.hash_low, b.hash_high, b.dedup_id);
  });
  const auto user_id = [&](const Entry& entry) {
    return blocks[entry.block].row(entry.row).substr(kRowHeader);
  };
  // (removed, kept) index pairs, then in the removed documents' input order.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> removed;
  std::uint64_t groups = 0;
  for (std::size_t begin = 0, end = 0; begin < entries.size(); begin = end) {
    end = begin + 1;
    while (end < entries.size() && entries[end].hash_low == entries[begin].hash_low &&
           entries[end].hash_high == entries[begin].hash_high) {
      removed.emplace_back(static_cast<std::uint32_t>(end), static_cast<std::uint32_t>(begin));
      ++end;
    }
    if (end - begin > 1) ++groups;
  }
  std::sort(removed.begin(), removed.end(), [&](const auto& a, const auto& b) {
    return entries[a.first].dedup_id < entries[b.first].dedup_id;
  });

  StringColumn ids;
  StringColumn kept_ids;
  std::vector<std::int64_t> dedup_ids;
  std::vector<std::int64_t> kept_dedup_ids;
  std::size_t id_bytes = 0;
  for (const auto& [gone, kept] : removed) id_bytes += user_id(entries[gone]).size();
  ids.reserve(removed.size(), id_bytes);
  dedup_ids.reserve(removed.size());
  kept_dedup_ids.reserve(removed.size());
  for (const auto& [gone, kept] : removed) {
    ids.append(user_id(entries[gone]));
    kept_ids.append(user_id(entries[kept]));
    dedup_ids.push_back(entries[gone].dedup_id);
    kept_dedup_ids.push_back(entries[kept].dedup_id);
  }
  auto batch = std::make_shared<DocumentBatch>(fmt::format("part.{:05}", partition));
  batch->set_column(std::string(kRemovedIdColumn), std::move(ids));
  batch->set_column(std::string(kKeptIdColumn), std::move(kept_ids));
  batch->set_column(std::string(io::kDedupIdColumn), std::move(dedup_ids));
  batch->set_column(std::string(kKeptDedupIdColumn), std::move(kept_dedup_ids));
  batch->metadata()[kDocumentsKey] = entries.size();
  batch->metadata()[kDuplicateGroupsKey] = groups;
  batch->metadata()[kRemovedKey] = removed.size();
  return {batch};
}

StageRecipe ExactDuplicatesStage::recipe() const {
  return {std::string(kExactDuplicatesStageType),
          {{"text_field", options_.text_field},
           {"id_field", options_.id_field},
           {"hash", to_string(options_.hash)},
           {"num_partitions", options_.num_partitions}},
          {}};
}

}  // namespace curate::dedup
