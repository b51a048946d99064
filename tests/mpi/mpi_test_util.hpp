#pragma once
// What the MPI test files share: running a shell command, reading output records, and the
// small corpus every MPI test runs on.

#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

namespace curate::mpi_test {

namespace fs = std::filesystem;

struct Outcome {
  int status = -1;
  std::string output;  // stdout and stderr
  double seconds = 0.0;
};

/// Run `command` with /bin/sh, stdout and stderr together.
inline Outcome run_shell(const std::string& command) {
  const auto start = std::chrono::steady_clock::now();
  Outcome outcome;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return outcome;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) outcome.output.append(buffer, n);
  const int raw = pclose(pipe);
  outcome.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return outcome;
}

/// The processes (other than this one) whose command line contains `text`, waiting up to
/// `wait_s` for them to end first (a launcher may return before the last rank is gone):
/// what a test finds left behind by a job whose command line named `text`.
inline std::vector<std::string> processes_mentioning(const std::string& text, double wait_s = 5.0) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(wait_s);
  while (true) {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator("/proc")) {
      const std::string pid = entry.path().filename().string();
      if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
      if (pid == std::to_string(getpid())) continue;
      std::ifstream in(entry.path() / "cmdline");
      std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
      if (cmdline.find(text) != std::string::npos) found.push_back(pid + ": " + cmdline);
    }
    if (found.empty() || std::chrono::steady_clock::now() > until) return found;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

/// Every line of every .jsonl file under `dir`, sorted: the records, whatever file and
/// order each executor wrote them in.
inline std::vector<std::string> records_under(const fs::path& dir) {
  std::vector<std::string> lines;
  if (!fs::exists(dir)) return lines;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".jsonl") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) lines.push_back(line);
    }
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

/// The lines of `file`, sorted.
inline std::vector<std::string> lines_of(const fs::path& file) {
  std::vector<std::string> lines;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  return lines;
}

inline constexpr int kFiles = 12;
inline constexpr std::size_t kRecords = kFiles * 12;

/// Write the corpus into `dir`: 12 files, so source tasks spread over ranks; repeated
/// texts across files (for the dedup cases) and short ones (for the filter).
inline void write_corpus(const fs::path& dir) {
  fs::create_directories(dir);
  for (int file = 0; file < kFiles; ++file) {
    std::ofstream out(dir / ("part" + std::to_string(file) + ".jsonl"));
    for (int line = 0; line < 12; ++line) {
      const int text = (file * 12 + line) % 53;
      std::string words = "word" + std::to_string(text);
      for (int w = 0; w < text % 7; ++w) words += " more" + std::to_string(w);
      out << nlohmann::json{{"id", "d" + std::to_string(file) + "-" + std::to_string(line)},
                            {"text", words}}
                 .dump()
          << '\n';
    }
  }
}

/// The pipeline of the multi-host tests: read, two record_setup stages (each appends
/// "<stage> <node>" to <setup_dir>/setup.log in setup_on_node), write to `output`.
inline std::string setup_pipeline(const std::string& name, const std::string& setup_dir,
                                  const std::string& output) {
  return "name: " + name +
         "\nstages:\n"
         "  - stage: jsonl_reader\n    params: {paths: input, batch_rows: 5}\n"
         "  - stage: record_setup\n    name: first\n    params: {dir: " +
         setup_dir +
         "}\n"
         "  - stage: record_setup\n    name: second\n    params: {dir: " +
         setup_dir +
         "}\n"
         "  - stage: jsonl_writer\n    params: {output_dir: " +
         output + "}\n";
}

/// The stages of the failure tests: read, fail_on_rank with `params` (its rank, mode and
/// sleep_ms) and `dir`, write to `output`.
inline std::string fail_on_rank_stages(const fs::path& dir, const std::string& params,
                                       const std::string& output) {
  return "  - stage: jsonl_reader\n    params: {paths: input, batch_rows: 5}\n"
         "  - stage: fail_on_rank\n    params: {dir: " +
         dir.string() + ", " + params +
         "}\n"
         "  - stage: jsonl_writer\n    params: {output_dir: " +
         output + "}\n";
}

}  // namespace curate::mpi_test
