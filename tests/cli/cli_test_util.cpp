#include "cli_test_util.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

namespace curate::cli::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::random_device random;
  path_ = fs::temp_directory_path() /
          ("curate_cli_test_" + std::to_string(::getpid()) + "_" + std::to_string(random()));
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

void write_file(const fs::path& file, const std::string& text) {
  if (file.has_parent_path()) fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_documents(const fs::path& file, int count, const std::string& prefix) {
  std::string text;
  for (int i = 0; i < count; ++i) {
    std::string words;
    const int length = i % 3 == 0 ? 3 : 20;
    for (int w = 0; w < length; ++w)
      words += (w == 0 ? "" : " ") + std::string("word") + std::to_string((i + w) % 7);
    text +=
        "{\"id\": \"" + prefix + "-" + std::to_string(i) + "\", \"text\": \"" + words + ".\"}\n";
  }
  write_file(file, text);
}

CliResult run_curate(const std::vector<std::string>& args,
                     std::function<void(StageRegistry&)> extra_stages) {
  std::ostringstream out;
  std::ostringstream err;
  CliContext context{out, err};
  context.extra_stages = std::move(extra_stages);
  CliResult result;
  result.exit_code = run_cli(args, context);
  result.out = out.str();
  result.err = err.str();
  return result;
}

fs::path curate_binary() {
  return fs::canonical("/proc/self/exe").parent_path().parent_path() / "bin" / "curate";
}

CliResult run_process(const std::string& command) {
  CliResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t read = 0;
  while ((read = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.out.append(buffer.data(), read);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

fs::path curate_with_test_stages_binary() { return CURATE_TEST_CLI_PATH; }

ChildProcess spawn_process(const std::vector<std::string>& argv, const fs::path& out_file,
                           const fs::path& err_file) {
  ChildProcess child;
  child.out = out_file;
  child.err = err_file;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_file.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    ADD_FAILURE() << "cannot start " << argv[0] << ": " << std::strerror(error);
    return child;
  }
  child.pid = pid;
  return child;
}

int wait_for_exit(const ChildProcess& child, double timeout_s) {
  if (child.pid <= 0) return -1000;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(child.pid, &status, WNOHANG);
    if (done == child.pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(child.pid, SIGKILL);
      ::waitpid(child.pid, &status, 0);
      return -1000;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return WIFSIGNALED(status) ? -WTERMSIG(status) : -1;
}

bool wait_for_file(const fs::path& file, double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (!fs::exists(file)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> folder_contents(const fs::path& folder) {
  std::vector<std::pair<std::string, std::string>> files;
  if (!fs::exists(folder)) return files;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    files.emplace_back(fs::relative(entry.path(), folder).string(), read_file(entry.path()));
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace curate::cli::testing
