#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <stop_token>
#include <string>

namespace curate {

/// Thrown by `Executor::execute` (and so `Pipeline::run`) when the run was cancelled
/// through its CancellationToken: after every worker stopped and every stage instance
/// was torn down, like a failure, but a type of its own so that callers can tell "the
/// user stopped it" from "a stage failed". `what()` is "run cancelled: <reason>".
class RunCancelled : public std::runtime_error {
 public:
  /// Say why the run was cancelled ("interrupted by SIGINT").
  explicit RunCancelled(std::string reason);
  /// Return the reason given to `CancellationToken::cancel`.
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
};

/// A shared flag that asks a run to stop: the caller keeps one copy and hands another to
/// `Pipeline::run` / `Executor::execute`; `cancel` from any thread then stops the run
/// (no new task starts, every instance is torn down, RunCancelled is thrown). Copies
/// share one state. Every member is thread-safe. `cancel` is not async-signal-safe (it
/// runs callbacks, takes a lock): a signal handler sets a flag or writes to a pipe and a
/// thread calls `cancel` (see backends/interrupt_watcher.hpp).
class CancellationToken {
 public:
  /// Create a token that is not cancelled, with a state of its own.
  CancellationToken();

  /// Cancel: the first call keeps `reason` and runs every registered callback once, on
  /// this thread, before it returns; later calls do nothing. Callable from any thread.
  void cancel(std::string reason = "cancelled by the caller") const;
  /// Return true once `cancel` was called. Cheap (one atomic load).
  bool cancelled() const;
  /// Return the reason of the first `cancel` ("" before).
  std::string reason() const;

  /// A registered callback: it stays registered while this object lives. Its
  /// destruction unregisters it and waits for a run of it in progress on another thread.
  class Registration {
   public:
    Registration(Registration&&) noexcept = default;
    Registration& operator=(Registration&&) noexcept = default;
    ~Registration() = default;

   private:
    friend class CancellationToken;
    using Callback = std::stop_callback<std::function<void()>>;
    explicit Registration(std::unique_ptr<Callback> callback) : callback_(std::move(callback)) {}
    std::unique_ptr<Callback> callback_;
  };

  /// Run `callback` once when the token is cancelled (at once, on this thread, when it
  /// already is). Executors use it to wake their workers. The callback must not throw.
  [[nodiscard]] Registration on_cancel(std::function<void()> callback) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace curate
