#include "curate/backends/interrupt_watcher.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace curate::backends {
namespace {

// What the handler may touch: lock-free atomics and a file descriptor.
std::atomic<int> g_first_signal{0};
std::atomic<int> g_write_fd{-1};
std::atomic<bool> g_installed{false};

// The byte the destructor writes to wake the thread without a signal.
constexpr unsigned char kStop = 0;

static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs lock-free ints");

extern "C" void on_interrupt(int signal) {
  const int saved_errno = errno;
  int expected = 0;
  if (!g_first_signal.compare_exchange_strong(expected, signal)) {
    // The second signal: the user does not want to wait for the teardown.
    ::_exit(InterruptWatcher::exit_status_for(signal));
  }
  const unsigned char byte = static_cast<unsigned char>(signal);
  const int fd = g_write_fd.load();
  if (fd >= 0) {
    [[maybe_unused]] const auto written = ::write(fd, &byte, 1);
  }
  errno = saved_errno;
}

std::string signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return fmt::format("signal {}", signal);
  }
}

std::system_error system_error(const std::string& what) {
  return std::system_error(errno, std::generic_category(), what);
}

}  // namespace

InterruptWatcher::InterruptWatcher(CancellationToken token, std::vector<int> signals)
    : token_(std::move(token)), signals_(std::move(signals)) {
  if (signals_.empty()) signals_ = {SIGINT, SIGTERM};
  if (g_installed.exchange(true)) {
    throw std::logic_error("an InterruptWatcher is already installed in this process");
  }
  if (::pipe2(pipe_, O_CLOEXEC) != 0) {
    g_installed = false;
    throw system_error("InterruptWatcher: cannot create its pipe");
  }
  g_first_signal = 0;
  g_write_fd = pipe_[1];
  thread_ = std::thread([this] { watch(); });
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  // SA_RESTART: the other threads' reads and writes go on instead of failing with EINTR.
  action.sa_flags = SA_RESTART;
  for (int signal : signals_) {
    struct sigaction previous {};
    if (::sigaction(signal, &action, &previous) != 0) {
      const auto error =
          system_error(fmt::format("InterruptWatcher: cannot handle {}", signal_name(signal)));
      uninstall();
      throw error;
    }
    previous_.push_back(previous);
  }
}

InterruptWatcher::~InterruptWatcher() { uninstall(); }

void InterruptWatcher::uninstall() noexcept {
  for (std::size_t i = 0; i < previous_.size(); ++i) {
    ::sigaction(signals_[i], &previous_[i], nullptr);
  }
  previous_.clear();
  if (thread_.joinable()) {
    const unsigned char byte = kStop;
    while (::write(pipe_[1], &byte, 1) < 0 && errno == EINTR) {
    }
    thread_.join();
  }
  g_write_fd = -1;
  for (int& fd : pipe_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  g_installed = false;
}

int InterruptWatcher::signal_received() const { return g_first_signal.load(); }

void InterruptWatcher::watch() {
  for (;;) {
    unsigned char byte = kStop;
    const auto got = ::read(pipe_[0], &byte, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0 || byte == kStop) return;
    token_.cancel(fmt::format("interrupted by {}", signal_name(byte)));
  }
}

}  // namespace curate::backends
