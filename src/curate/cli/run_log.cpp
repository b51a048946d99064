#include "curate/cli/run_log.hpp"

#include "curate/cli/config_error.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <stdexcept>

namespace curate::cli {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

void write_atomically(const fs::path& file, const std::string& text) {
  const fs::path temporary = file.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", temporary.string()));
  }
  fs::rename(temporary, file);
}

std::size_t count_markers(const fs::path& dir) {
  if (!fs::is_directory(dir)) return 0;
  std::size_t count = 0;
  for (const auto& entry : fs::directory_iterator(dir)) count += entry.is_regular_file() ? 1 : 0;
  return count;
}

// True when `inner` is `outer` or lies inside it (both absolute and normalised).
bool is_within(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin();
  for (auto o = outer.begin(); o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

RunLog::RunLog(fs::path dir) : dir_(std::move(dir)) {}

std::size_t RunLog::prepare(const std::string& fingerprint, const nlohmann::json& document,
                            bool overwrite) {
  fs::create_directories(dir_);
  if (overwrite) {
    fs::remove_all(markers_dir());
    for (const fs::path& file : {fingerprint_path(), stats_path(), errors_path()}) fs::remove(file);
  }
  const std::size_t markers = count_markers(markers_dir());
  if (markers > 0) {
    const std::string previous =
        fs::exists(fingerprint_path()) ? read_text(fingerprint_path()) : "";
    if (previous != fingerprint) {
      throw ConfigError(fmt::format(
          "log folder '{}' holds {} completion markers of a different pipeline (fingerprint {}, "
          "this one is {}); rerun with --overwrite to start over, or use another --log-dir",
          dir_.string(), markers, previous.empty() ? "missing" : previous, fingerprint));
    }
  } else {
    fs::remove(errors_path());
  }
  write_atomically(fingerprint_path(), fingerprint + "\n");
  write_atomically(dir_ / "pipeline.json", document.dump(2) + "\n");
  return markers;
}

void RunLog::write_stats(const nlohmann::json& stats) const {
  fs::create_directories(dir_);
  write_atomically(stats_path(), stats.dump(2) + "\n");
}

void clear_output_folder(const fs::path& folder, const std::vector<fs::path>& keep) {
  if (!fs::exists(folder)) return;
  const fs::path target = fs::weakly_canonical(fs::absolute(folder));
  const fs::path cwd = fs::weakly_canonical(fs::current_path());
  if (target == target.root_path() || is_within(cwd, target)) {
    throw ConfigError(
        fmt::format("--overwrite would delete '{}', which holds the working "
                    "directory; point the output at a folder of its own",
                    folder.string()));
  }
  for (const fs::path& path : keep) {
    if (path.empty()) continue;
    if (is_within(fs::weakly_canonical(fs::absolute(path)), target)) {
      throw ConfigError(
          fmt::format("--overwrite would delete '{}', which holds '{}'; point the "
                      "output at a folder of its own",
                      folder.string(), path.string()));
    }
  }
  for (const auto& entry : fs::directory_iterator(folder)) fs::remove_all(entry.path());
}

std::string utc_timestamp() {
  const auto now = std::chrono::system_clock::now();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z",
                     fmt::gmtime(std::chrono::system_clock::to_time_t(now)),
                     static_cast<int>(millis.count()));
}

}  // namespace curate::cli
