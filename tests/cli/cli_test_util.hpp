#pragma once

// Helpers shared by the CLI tests: a temporary folder, small files, an in-process
// `curate` invocation with captured output, and the path of the built binary.

#include "curate/cli/app.hpp"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace curate::cli::testing {

/// A fresh folder under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// Return path() / relative.
  std::filesystem::path operator/(const std::string& relative) const { return path_ / relative; }

 private:
  std::filesystem::path path_;
};

/// Write `text` to `file`, creating its parent folders.
void write_file(const std::filesystem::path& file, const std::string& text);
/// Return the whole content of `file` ("" when missing).
std::string read_file(const std::filesystem::path& file);

/// Write `count` JSONL documents {"id": "<prefix>-<i>", "text": ...} to `file`; every
/// third one is short (3 words), the others long (20 words).
void write_documents(const std::filesystem::path& file, int count, const std::string& prefix);

/// The outcome of one in-process `curate` invocation.
struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Run `curate args...` in this process with captured output; `extra_stages` registers
/// test stages next to the built-in ones.
CliResult run_curate(const std::vector<std::string>& args,
                     std::function<void(StageRegistry&)> extra_stages = {});

/// Return the built `curate` binary: <build>/bin/curate, found from this test binary's
/// location (<build>/tests/test_cli).
std::filesystem::path curate_binary();

/// Run a shell command, capturing its stdout (add `2>&1` to capture stderr too);
/// returns the exit status and the output.
CliResult run_process(const std::string& command);

/// Return the `curate` binary with the test stages (test_stages.hpp) registered and
/// interrupts handled, built as target curate_with_test_stages.
std::filesystem::path curate_with_test_stages_binary();

/// A child process started by `spawn_process`, its output going to two files.
struct ChildProcess {
  int pid = -1;
  std::filesystem::path out;  ///< its stdout
  std::filesystem::path err;  ///< its stderr
};

/// Start `argv` (argv[0] is the program's path) with stdout and stderr redirected to
/// `out_file` and `err_file`. Fails the test (and returns pid -1) when it cannot start.
ChildProcess spawn_process(const std::vector<std::string>& argv,
                           const std::filesystem::path& out_file,
                           const std::filesystem::path& err_file);

/// Wait at most `timeout_s` for `child` to end and return its exit status, or -N when a
/// signal N killed it; on timeout kill it (SIGKILL), reap it and return -1000.
int wait_for_exit(const ChildProcess& child, double timeout_s);

/// Wait at most `timeout_s` for `file` to exist; return whether it does.
bool wait_for_file(const std::filesystem::path& file, double timeout_s);

/// Return "name -> content" of every regular file under `folder` (relative names).
std::vector<std::pair<std::string, std::string>> folder_contents(
    const std::filesystem::path& folder);

}  // namespace curate::cli::testing
