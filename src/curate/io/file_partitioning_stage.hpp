#pragma once

#include "curate/core/processing_stage.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace curate::io {

/// The file name endings a folder is searched for: JSONL, plain or compressed.
std::vector<std::string> default_jsonl_extensions();

/// Expand `paths` into the sorted list of distinct files they name: a file is taken as
/// it is (any extension), a folder is searched recursively for files ending in one of
/// `extensions` (hidden files and folders skipped), and a pattern with *, ? or [ is
/// expanded with glob(3), folders among its matches searched as above. Throws
/// std::invalid_argument naming the path when one does not exist or a pattern matches
/// nothing, and when nothing at all is found. Pure apart from reading the file system.
std::vector<std::string> expand_input_paths(const std::vector<std::string>& paths,
                                            const std::vector<std::string>& extensions);

/// How FilePartitioningStage groups files; at most one of the two may be set, neither
/// means one file per group.
struct FilePartitioningOptions {
  std::vector<std::string> paths;          ///< files, folders, glob patterns
  std::optional<int> files_per_partition;  ///< at most this many files per group
  std::optional<std::uint64_t> blocksize;  ///< at most this many bytes on disk per group
  std::vector<std::string> extensions = default_jsonl_extensions();
};

/// Group `files` (already sorted) as `options` says. With `blocksize`, consecutive files
/// are added to a group while its total size on disk stays within it; a bigger file
/// forms a group alone. Throws std::invalid_argument for non-positive sizes.
std::vector<std::vector<std::string>> partition_files(const std::vector<std::string>& files,
                                                      const FilePartitioningOptions& options);

/// The source half of a reader (a fan-out): turn the seed task into FileGroupTasks. The
/// paths are expanded and checked when the stage is constructed, so a missing input is
/// reported while the pipeline is built, before anything runs, and every rank or
/// executor that builds the same pipeline sees the same groups. Each group's id is
/// stable_hash_id of its sorted paths joined by "\n": the same on every run. Each group
/// carries its files' ordinals: their indices in the whole sorted listing `files()`.
class FilePartitioningStage final : public CloneableStage<FilePartitioningStage> {
 public:
  /// Expand and group the inputs now. Throws std::invalid_argument naming the stage and
  /// the path that does not exist, or the option that is invalid.
  explicit FilePartitioningStage(FilePartitioningOptions options,
                                 std::string name = "file_partitioning");

  /// Return one FileGroupTask per group, in path order, inheriting the seed's dataset
  /// name. Called once per run with the seed (an EmptyTask); stateless, so any thread.
  std::vector<TaskPtr> process(TaskPtr task) override;

  /// Mark the stage as a fan-out.
  StageSpec ray_stage_spec() const override;

  /// Return the groups the stage will emit.
  const std::vector<std::vector<std::string>>& groups() const { return groups_; }
  /// Return every input file, sorted.
  const std::vector<std::string>& files() const { return files_; }

  /// Describe as the pipeline stage `file_partitioning` over the files listed at
  /// construction (not the patterns given), so every process sees the same groups.
  StageRecipe recipe() const override;

 private:
  FilePartitioningOptions options_;
  std::vector<std::string> files_;
  std::vector<std::vector<std::string>> groups_;
};

}  // namespace curate::io
