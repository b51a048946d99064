#include "curate/io/file_partitioning_stage.hpp"

#include "curate/core/task_ids.hpp"

#include <fmt/format.h>
#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

namespace curate::io {
namespace {

namespace fs = std::filesystem;

bool has_glob_characters(const std::string& path) {
  return path.find_first_of("*?[") != std::string::npos;
}

bool matches_extension(const std::string& name, const std::vector<std::string>& extensions) {
  return std::any_of(extensions.begin(), extensions.end(), [&](const std::string& extension) {
    return name.size() >= extension.size() &&
           name.compare(name.size() - extension.size(), extension.size(), extension) == 0;
  });
}

void add_folder(const fs::path& folder, const std::vector<std::string>& extensions,
                std::vector<std::string>& out) {
  fs::recursive_directory_iterator it(folder, fs::directory_options::follow_directory_symlink);
  for (; it != fs::recursive_directory_iterator(); ++it) {
    const std::string name = it->path().filename().string();
    // Hidden entries: editor and writer temporaries, .git and the like.
    if (!name.empty() && name.front() == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && matches_extension(name, extensions)) {
      out.push_back(it->path().lexically_normal().string());
    }
  }
}

void add_path(const std::string& path, const std::vector<std::string>& extensions,
              std::vector<std::string>& out) {
  std::error_code error;
  const auto status = fs::status(path, error);
  if (error || !fs::exists(status)) {
    throw std::invalid_argument(fmt::format("input path '{}' does not exist", path));
  }
  if (fs::is_directory(status)) {
    add_folder(path, extensions, out);
  } else {
    out.push_back(fs::path(path).lexically_normal().string());
  }
}

}  // namespace

std::vector<std::string> default_jsonl_extensions() {
  std::vector<std::string> out;
  for (const char* base : {".jsonl", ".json", ".ndjson"}) {
    for (const char* suffix : {"", ".gz", ".zst"}) out.push_back(std::string(base) + suffix);
  }
  return out;
}

std::vector<std::string> expand_input_paths(const std::vector<std::string>& paths,
                                            const std::vector<std::string>& extensions) {
  if (paths.empty()) throw std::invalid_argument("no input paths given");
  std::vector<std::string> files;
  for (const auto& path : paths) {
    if (!has_glob_characters(path) || fs::exists(path)) {
      add_path(path, extensions, files);
      continue;
    }
    glob_t matches{};
    const int status = ::glob(path.c_str(), GLOB_NOSORT, nullptr, &matches);
    if (status != 0) {
      globfree(&matches);
      if (status == GLOB_NOMATCH) {
        throw std::invalid_argument(fmt::format("input pattern '{}' matches no file", path));
      }
      throw std::invalid_argument(fmt::format("cannot expand input pattern '{}'", path));
    }
    std::vector<std::string> found(matches.gl_pathv, matches.gl_pathv + matches.gl_pathc);
    globfree(&matches);
    for (const auto& match : found) add_path(match, extensions, files);
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  if (files.empty()) {
    throw std::invalid_argument(
        fmt::format("no input files found in {}; folders are searched for {}",
                    nlohmann::json(paths).dump(), nlohmann::json(extensions).dump()));
  }
  return files;
}

std::vector<std::vector<std::string>> partition_files(const std::vector<std::string>& files,
                                                      const FilePartitioningOptions& options) {
  if (options.files_per_partition && options.blocksize) {
    throw std::invalid_argument("give files_per_partition or blocksize, not both");
  }
  std::vector<std::vector<std::string>> groups;
  if (options.blocksize) {
    if (*options.blocksize == 0) throw std::invalid_argument("blocksize must be positive");
    std::uint64_t group_bytes = 0;
    for (const auto& file : files) {
      std::error_code error;
      const std::uint64_t size = fs::file_size(file, error);
      if (groups.empty() || (group_bytes > 0 && group_bytes + size > *options.blocksize)) {
        groups.emplace_back();
        group_bytes = 0;
      }
      groups.back().push_back(file);
      group_bytes += error ? 0 : size;
    }
    return groups;
  }
  const int per_group = options.files_per_partition.value_or(1);
  if (per_group < 1) {
    throw std::invalid_argument(
        fmt::format("files_per_partition must be at least 1, got {}", per_group));
  }
  for (std::size_t i = 0; i < files.size(); i += static_cast<std::size_t>(per_group)) {
    const std::size_t end = std::min(files.size(), i + static_cast<std::size_t>(per_group));
    groups.emplace_back(files.begin() + static_cast<std::ptrdiff_t>(i),
                        files.begin() + static_cast<std::ptrdiff_t>(end));
  }
  return groups;
}

FilePartitioningStage::FilePartitioningStage(FilePartitioningOptions options, std::string name)
    : CloneableStage(std::move(name)), options_(std::move(options)) {
  try {
    files_ = expand_input_paths(options_.paths, options_.extensions);
    groups_ = partition_files(files_, options_);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(fmt::format("stage '{}': {}", this->name(), error.what()));
  }
}

std::vector<TaskPtr> FilePartitioningStage::process(TaskPtr task) {
  std::vector<TaskPtr> out;
  out.reserve(groups_.size());
  for (const auto& group : groups_) {
    std::string joined;
    std::vector<std::uint64_t> ordinals;
    ordinals.reserve(group.size());
    for (const auto& file : group) {
      joined += file;
      joined += '\n';
      // The index in the whole listing, not in the group: document ids built from it
      // stay the same however the files are grouped.
      const auto at = std::lower_bound(files_.begin(), files_.end(), file);
      ordinals.push_back(static_cast<std::uint64_t>(at - files_.begin()));
    }
    auto group_task = std::make_shared<FileGroupTask>(
        stable_hash_id(joined), task ? task->dataset_name() : "", group, std::move(ordinals));
    group_task->metadata()["source_files"] = group;
    out.push_back(std::move(group_task));
  }
  return out;
}

StageSpec FilePartitioningStage::ray_stage_spec() const {
  StageSpec spec;
  spec.set(StageSpecKey::IsFanoutStage, true);
  return spec;
}

StageRecipe FilePartitioningStage::recipe() const {
  nlohmann::json params = {{"paths", files_}, {"file_extensions", options_.extensions}};
  if (options_.files_per_partition) params["files_per_partition"] = *options_.files_per_partition;
  if (options_.blocksize) params["blocksize"] = *options_.blocksize;
  return {"file_partitioning", std::move(params), {}};
}

}  // namespace curate::io
