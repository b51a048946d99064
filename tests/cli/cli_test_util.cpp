#include "cli_test_util.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

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
