#include "curate/core/cancellation.hpp"

#include <mutex>

namespace curate {

RunCancelled::RunCancelled(std::string reason)
    : std::runtime_error("run cancelled: " + reason), reason_(std::move(reason)) {}

// std::stop_source gives the flag and the callbacks (with the unregister-waits rule);
// the reason needs a lock of its own, written before the callbacks run.
struct CancellationToken::State {
  std::stop_source source;
  mutable std::mutex mutex;
  bool requested = false;  // under mutex: the first cancel alone sets the reason
  std::string reason;
};

CancellationToken::CancellationToken() : state_(std::make_shared<State>()) {}

void CancellationToken::cancel(std::string reason) const {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->requested) return;
    state_->requested = true;
    state_->reason = std::move(reason);
  }
  state_->source.request_stop();
}

bool CancellationToken::cancelled() const { return state_->source.stop_requested(); }

std::string CancellationToken::reason() const {
  std::lock_guard lock(state_->mutex);
  return state_->reason;
}

CancellationToken::Registration CancellationToken::on_cancel(std::function<void()> callback) const {
  return Registration(
      std::make_unique<Registration::Callback>(state_->source.get_token(), std::move(callback)));
}

}  // namespace curate
