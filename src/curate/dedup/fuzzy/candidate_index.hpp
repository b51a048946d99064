#pragma once

#include "curate/core/task.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace curate::dedup {

/// The documents that share an LSH bucket with another document, each with its
/// component and its multi-document buckets, as three flat sorted arrays (24 bytes per
/// document plus 8 per bucket membership). Built once on the driver from the output
/// of ConnectedComponentsStage and then shared read-only by every instance of the
/// verification stages, from any thread.
class CandidateIndex {
 public:
  /// Build from (component, document, bucket) batches in any order and split.
  static std::shared_ptr<const CandidateIndex> build(const std::vector<TaskPtr>& labelled);

  std::size_t size() const { return docs_.size(); }
  /// Return the position of `doc`, or nullopt when it is not a candidate.
  std::optional<std::size_t> find(int64_t doc) const;
  int64_t doc(std::size_t position) const { return docs_[position]; }
  int64_t component(std::size_t position) const { return components_[position]; }
  /// Return the multi-document buckets of the document at `position`, sorted.
  std::span<const uint64_t> buckets(std::size_t position) const {
    return {buckets_.data() + offsets_[position], buckets_.data() + offsets_[position + 1]};
  }
  /// Return the bytes the index holds.
  std::size_t memory_bytes() const;

  /// Return the index as bytes (its four arrays, length-prefixed, little-endian host
  /// layout: about `memory_bytes()`), the payload of the verification stages'
  /// descriptions. Read-only: any thread.
  std::string to_bytes() const;
  /// Read what `to_bytes` wrote; throws std::invalid_argument for damaged bytes.
  static std::shared_ptr<const CandidateIndex> from_bytes(std::string_view bytes);

 private:
  std::vector<int64_t> docs_;
  std::vector<int64_t> components_;
  std::vector<uint64_t> offsets_;  // size() + 1 entries into buckets_
  std::vector<uint64_t> buckets_;
};

using CandidateIndexPtr = std::shared_ptr<const CandidateIndex>;

}  // namespace curate::dedup
