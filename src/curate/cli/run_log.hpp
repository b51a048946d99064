#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace curate::cli {

/// The log folder of a pipeline (`--log-dir`, default `logs/<pipeline name>`):
///
///   stats.json      the last run's statistics (see `write_stats`)
///   errors.jsonl    bad input records, appended by the reader
///   fingerprint     the pipeline_fingerprint of the run whose markers are here
///   pipeline.json   the resolved pipeline document of that run (for the curious)
///   completed/      one completion marker per finished source task (see resume.hpp)
///
/// Used by the driver thread of `curate run` only.
class RunLog {
 public:
  /// Use `dir`; nothing is touched until `prepare`.
  explicit RunLog(std::filesystem::path dir);

  /// Return the folder and the paths of its files (listed in the class comment).
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path stats_path() const { return dir_ / "stats.json"; }
  std::filesystem::path errors_path() const { return dir_ / "errors.jsonl"; }
  std::filesystem::path markers_dir() const { return dir_ / "completed"; }
  std::filesystem::path fingerprint_path() const { return dir_ / "fingerprint"; }

  /// Get the folder ready for a run of the pipeline with `fingerprint` and return the
  /// number of completion markers a run would resume from. With `overwrite`, markers,
  /// fingerprint, stats and errors.jsonl are deleted first. Without it, markers left by a
  /// pipeline with another fingerprint are a ConfigError that says to use --overwrite or
  /// another --log-dir; a run that resumes nothing starts a fresh errors.jsonl. Writes the
  /// fingerprint and `document` (as pipeline.json).
  std::size_t prepare(const std::string& fingerprint, const nlohmann::json& document,
                      bool overwrite);

  /// Write `stats` to stats.json (temporary file, then rename), indented.
  void write_stats(const nlohmann::json& stats) const;

 private:
  std::filesystem::path dir_;
};

/// Delete the contents of an output folder for `curate run --overwrite`, refusing
/// (ConfigError) a folder that is the file system root, the working directory or one of
/// its ancestors, or that holds one of `keep` (the pipeline file, the input paths). A
/// missing folder is fine.
void clear_output_folder(const std::filesystem::path& folder,
                         const std::vector<std::filesystem::path>& keep);

/// Return the current time as ISO 8601 UTC with milliseconds ("2025-01-31T12:00:00.000Z").
std::string utc_timestamp();

}  // namespace curate::cli
