#include "curate/backends/mpi/mpi_wait.hpp"

#include <fmt/format.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace curate::backends::mpi {

bool AbortFlag::raise(const std::string& reason) {
  bool expected = false;
  if (!writing_.compare_exchange_strong(expected, true)) return false;
  reason_ = reason;
  raised_.store(true, std::memory_order_release);
  return true;
}

std::string AbortFlag::reason() const { return raised() ? reason_ : std::string(); }

void check_mpi(int code, std::string_view what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw std::runtime_error(
      fmt::format("MPI error in {}: {}", what, std::string_view(text, length)));
}

void wait_or_abort(MPI_Request& request, const AbortFlag* abort, std::string_view what,
                   double timeout_s, MPI_Status* status) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  // Spin briefly first: most exchanges finish within microseconds on a fast network,
  // and a sleep there would dominate small messages. Then back off to 1 ms, so idle
  // waiting ranks leave the CPUs to the ranks that work.
  int polls = 0;
  while (true) {
    int done = 0;
    check_mpi(MPI_Test(&request, &done, status != nullptr ? status : MPI_STATUS_IGNORE), what);
    if (done != 0) return;
    if (abort != nullptr && abort->raised()) {
      throw std::runtime_error(fmt::format("{} abandoned: {}", what, abort->reason()));
    }
    if (timeout_s > 0 && std::chrono::duration<double>(Clock::now() - start).count() > timeout_s) {
      throw std::runtime_error(fmt::format("{} timed out after {:.0f} s", what, timeout_s));
    }
    if (++polls < 200) {
      std::this_thread::yield();
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(polls < 2000 ? 50 : 1000));
    }
  }
}

void wait_or_abort_keeping(MPI_Request& request, std::shared_ptr<void> buffers,
                           const AbortFlag* abort, std::string_view what) {
  try {
    wait_or_abort(request, abort, what);
  } catch (...) {
    // Never freed: the pending request may still be written into until the process ends.
    static std::mutex mutex;
    static auto* abandoned = new std::vector<std::shared_ptr<void>>();
    const std::lock_guard lock(mutex);
    abandoned->push_back(std::move(buffers));
    throw;
  }
}

void wait_all_or_abort(std::vector<MPI_Request>& requests, const AbortFlag* abort,
                       std::string_view what) {
  for (auto& request : requests) wait_or_abort(request, abort, what);
}

}  // namespace curate::backends::mpi
