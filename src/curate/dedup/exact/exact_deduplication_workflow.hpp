#pragma once

#include "curate/core/executor.hpp"
#include "curate/core/pipeline.hpp"
#include "curate/dedup/exact/text_hasher.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace curate::dedup {

/// Parameters of ExactDeduplicationWorkflow, named as NeMo Curator's
/// ExactDeduplicationWorkflow names them where it has them.
struct ExactDeduplicationParams {
  std::vector<std::string> input_path;  ///< JSONL files, folders or glob patterns
  std::string output_path;              ///< removal_list/ and deduplicated/ go here
  std::string text_field = "text";
  std::string id_field = "id";             ///< must be unique; records without one get one from
                                           ///< their file and line (see JsonlReaderStage)
  TextHash hash = TextHash::Xxh3_128;      ///< md5 for parity with NeMo Curator
  std::optional<int> files_per_partition;  ///< at most one of these two; neither: one file
  std::optional<std::uint64_t> blocksize;  ///< per reading task
  std::vector<std::string> input_file_extensions;  ///< empty: the JSONL defaults
  int num_partitions = 64;                         ///< shuffle partitions
  std::size_t batch_rows = 10'000;                 ///< reader batch size
  bool perform_removal = false;                    ///< also write the corpus without the duplicates
  bool overwrite = false;  ///< replace removal_list/ and deduplicated/ if present
};

/// What a run found and did.
struct ExactDeduplicationStats {
  std::uint64_t documents = 0;         ///< documents read and hashed
  std::uint64_t duplicate_groups = 0;  ///< sets of two or more identical texts
  std::uint64_t removed = 0;           ///< documents listed for removal
  std::uint64_t kept_written = 0;      ///< documents written by the removal pass (if run)
  std::string removal_list_dir;        ///< `<output_path>/removal_list`
  std::string deduplicated_dir;        ///< `<output_path>/deduplicated`, if written
};

/// Exact deduplication of a JSONL corpus on any Executor: read (with dedup ids), hash
/// each text, shuffle on the hash, keep the first document of each group and write the
/// others to `<output_path>/removal_list/part.NNNNN.jsonl` as `{"id", "kept_id"}`, the
/// same bytes for any worker count; then, with `perform_removal`, read the corpus again,
/// drop the listed documents and write the rest to `<output_path>/deduplicated/`
/// (unchanged records byte for byte). Statistics come from the runs' outputs, so the
/// executor must return them (no `discard_outputs`). One `run` at a time.
class ExactDeduplicationWorkflow {
 public:
  /// Check the parameters and expand the input paths now; throws std::invalid_argument
  /// naming the parameter or the missing path.
  explicit ExactDeduplicationWorkflow(ExactDeduplicationParams params);

  /// Return the identification pipeline: jsonl_reader (add_dedup_id) -> exact_duplicates.
  Pipeline identification_pipeline() const;
  /// Return the removal pipeline: jsonl_reader -> remove_duplicates -> jsonl_writer. The
  /// removal list must exist (it is read when the pipeline is built).
  Pipeline removal_pipeline() const;

  /// Run identification and, with `perform_removal`, removal on `executor`. Throws
  /// std::runtime_error when an output folder is not empty and `overwrite` is false,
  /// and whatever the executor throws.
  ExactDeduplicationStats run(Executor& executor);

  /// Return the parameters the workflow was built with.
  const ExactDeduplicationParams& params() const { return params_; }

 private:
  ExactDeduplicationParams params_;
  std::string removal_list_dir_;
  std::string deduplicated_dir_;
};

}  // namespace curate::dedup
