#pragma once

// A temporary folder and whole-file helpers, shared by every test suite.

#include <filesystem>
#include <string>
#include <string_view>

namespace curate::testing {

/// A fresh folder under the system temp folder (mkdtemp), removed with everything in it
/// when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// Return `path() / name` as a string.
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// Write `bytes` to `path`, creating parent folders.
void write_file(const std::string& path, std::string_view bytes);
/// Return the whole content of `path`.
std::string read_file(const std::string& path);

}  // namespace curate::testing
