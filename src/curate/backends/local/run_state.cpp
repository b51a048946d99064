#include "curate/backends/local/run_state.hpp"

#include "curate/backends/logging.hpp"
#include "curate/core/cancellation.hpp"

#include <spdlog/spdlog.h>

namespace curate::backends::local {

void append_order_index(std::string& key, std::uint32_t index) {
  const char bytes[4] = {static_cast<char>(index >> 24), static_cast<char>(index >> 16),
                         static_cast<char>(index >> 8), static_cast<char>(index)};
  key.append(bytes, 4);
}

void RunState::on_cancel(std::function<void(const std::string&)> hook) {
  hooks_.push_back(std::move(hook));
}

void RunState::fail(std::exception_ptr error, spdlog::logger* logger) {
  stop(std::move(error), logger, false);
}

void RunState::cancel(const std::string& reason) {
  stop(std::make_exception_ptr(curate::RunCancelled(reason)), nullptr, true);
}

void RunState::stop(std::exception_ptr error, spdlog::logger* logger, bool by_request) {
  std::string reason = describe_error(error);
  {
    std::lock_guard lock(mutex_);
    if (first_error_) {
      // Errors after the first are mostly consequences of the cancel (a released barrier,
      // a gang abort); the first one is what the user must see.
      spdlog::debug("further error after the run failed: {}", reason);
      return;
    }
    first_error_ = std::move(error);
    by_request_ = by_request;
  }
  // Stop everyone first, log after: writing the log can take milliseconds, in which the
  // other workers would go on making work that is thrown away.
  cancelled_.store(true, std::memory_order_release);
  // hooks_ is frozen once workers run, so reading it without the lock is safe; calling
  // hooks outside the lock lets them take their own locks without ordering concerns.
  for (const auto& hook : hooks_) hook(reason);
  if (by_request) {
    spdlog::debug("{}", reason);
  } else if (logger != nullptr) {
    logger->error("{}", reason);
  } else {
    spdlog::error("{}", reason);
  }
}

std::exception_ptr RunState::first_error() const {
  std::lock_guard lock(mutex_);
  return first_error_;
}

bool RunState::was_cancelled() const {
  std::lock_guard lock(mutex_);
  return by_request_;
}

}  // namespace curate::backends::local
