#include "curate/io/bad_record_sink.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace curate::io {

std::string_view to_string(BadRecordReason reason) {
  switch (reason) {
    case BadRecordReason::NotAJsonObject:
      return "not_a_json_object";
    case BadRecordReason::MissingTextField:
      return "missing_text_field";
    case BadRecordReason::InvalidUtf8:
      return "invalid_utf8";
    case BadRecordReason::LineTooLong:
      return "line_too_long";
    case BadRecordReason::TruncatedCompressedStream:
      return "truncated_compressed_stream";
    case BadRecordReason::CorruptCompressedStream:
      return "corrupt_compressed_stream";
  }
  return "unknown";
}

BadRecordSink::BadRecordSink(std::filesystem::path log_dir) {
  if (!log_dir.empty()) errors_path_ = log_dir / "errors.jsonl";
}

BadRecordSink::~BadRecordSink() {
  if (fd_ >= 0) ::close(fd_);
}

void BadRecordSink::report(std::string_view file, std::uint64_t line, BadRecordReason reason) {
  counts_[static_cast<std::size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
  std::string record;
  if (!errors_path_.empty()) {
    nlohmann::json entry = nlohmann::json::object();
    entry["file"] = std::string(file);
    entry["line"] = line;
    entry["reason"] = std::string(to_string(reason));
    // A path need not be UTF-8; replacing bad bytes keeps errors.jsonl valid JSON.
    record = entry.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    record += '\n';
  }
  std::lock_guard lock(mutex_);
  if (warnings_left_ > 0) {
    --warnings_left_;
    spdlog::warn("skipping bad record {}:{}: {}{}", file, line, to_string(reason),
                 warnings_left_ == 0 ? " (further bad records are only counted and written "
                                       "to errors.jsonl)"
                                     : "");
  }
  if (errors_path_.empty()) return;
  if (fd_ < 0) {
    std::error_code error;
    std::filesystem::create_directories(errors_path_.parent_path(), error);
    fd_ = ::open(errors_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      throw std::runtime_error(
          fmt::format("cannot open '{}' for bad records: {}; check the log "
                      "folder is writable",
                      errors_path_.string(), std::strerror(errno)));
    }
  }
  // One write per record: O_APPEND makes it land whole even with other writers.
  const char* data = record.data();
  std::size_t left = record.size();
  while (left > 0) {
    const ssize_t written = ::write(fd_, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(
          fmt::format("cannot write '{}': {}", errors_path_.string(), std::strerror(errno)));
    }
    data += written;
    left -= static_cast<std::size_t>(written);
  }
}

std::uint64_t BadRecordSink::count(BadRecordReason reason) const {
  return counts_[static_cast<std::size_t>(reason)].load(std::memory_order_relaxed);
}

void BadRecordSink::add_counts(const std::map<std::string, std::uint64_t>& counts) {
  for (const auto& [name, value] : counts) {
    std::size_t i = 0;
    while (i < kBadRecordReasonCount && to_string(static_cast<BadRecordReason>(i)) != name) ++i;
    if (i == kBadRecordReasonCount) {
      throw std::invalid_argument("unknown bad record reason '" + name + "'");
    }
    counts_[i].fetch_add(value, std::memory_order_relaxed);
  }
}

std::map<std::string, std::uint64_t> BadRecordSink::counts() const {
  std::map<std::string, std::uint64_t> out;
  for (std::size_t i = 0; i < kBadRecordReasonCount; ++i) {
    const auto value = counts_[i].load(std::memory_order_relaxed);
    if (value > 0) out[std::string(to_string(static_cast<BadRecordReason>(i)))] = value;
  }
  return out;
}

std::uint64_t BadRecordSink::total() const {
  std::uint64_t sum = 0;
  for (const auto& value : counts_) sum += value.load(std::memory_order_relaxed);
  return sum;
}

}  // namespace curate::io
