#pragma once

#include "curate/core/pipeline.hpp"
#include "curate/io/jsonl_reader_stage.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace curate::dedup {

/// What the deduplication workflows read: the corpus and how to group and batch it.
struct DedupInput {
  std::vector<std::string> paths;          ///< JSONL files, folders or glob patterns
  std::optional<int> files_per_partition;  ///< at most one of these two; neither: one
  std::optional<std::uint64_t> blocksize;  ///< file per reading task
  std::vector<std::string> extensions;     ///< empty: the JSONL defaults
  std::string text_field = "text";
  std::string id_field = "id";
  std::size_t batch_rows = 10'000;
  std::size_t max_line_bytes = 16u << 20;  ///< longer records are skipped and reported
};

/// Return a JSONL reader over `input`, adding the dedup id column when `add_dedup_id`.
/// The paths are expanded now: throws std::invalid_argument naming a missing one or a
/// bad option.
std::shared_ptr<io::JsonlReader> make_dedup_reader(const DedupInput& input, bool add_dedup_id);

/// Make `dir` ready for a run's output: refuse (std::runtime_error naming it) a folder
/// that is not empty unless `overwrite`, which removes it. Stale part files of an
/// earlier run with more partitions would otherwise stay in a removal list.
void prepare_output_dir(const std::string& dir, bool overwrite);

/// Return the removal pass: read `input`, drop the documents the removal list in
/// `removal_list_dir` names, write the rest to `output_dir` (unchanged records byte for
/// byte). The removal list must exist: it is checked when the pipeline is built.
Pipeline removal_pipeline(const DedupInput& input, const std::string& removal_list_dir,
                          const std::string& output_dir, std::string name);

/// Return the number in `task.metadata()[key]`, or 0 when absent.
std::uint64_t metadata_count(const Task& task, std::string_view key);

}  // namespace curate::dedup
