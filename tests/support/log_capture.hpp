#pragma once

#include <spdlog/sinks/ringbuffer_sink.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace curate::testing {

/// Capture what the default spdlog logger writes while the object lives (the last 1000
/// records), so a test can check that a warning was logged. Create it before the code
/// under test starts threads and destroy it after they joined: spdlog's sink list is not
/// guarded against concurrent changes.
class LogCapture {
 public:
  LogCapture();
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  /// Return the captured records, formatted as "<level> <message>".
  std::vector<std::string> lines() const;
  /// Return true when some captured record contains `text`.
  bool contains(std::string_view text) const;

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
};

}  // namespace curate::testing
