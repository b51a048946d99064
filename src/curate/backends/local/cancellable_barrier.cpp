#include "curate/backends/local/cancellable_barrier.hpp"

#include <stdexcept>

namespace curate::backends::local {

CancellableBarrier::CancellableBarrier(int parties) : parties_(parties < 1 ? 1 : parties) {}

void CancellableBarrier::arrive_and_wait() {
  std::unique_lock lock(mutex_);
  if (cancelled_) throw std::runtime_error(reason_);
  const auto phase = phase_;
  if (++arrived_ == parties_) {
    arrived_ = 0;
    ++phase_;
    lock.unlock();
    released_.notify_all();
    return;
  }
  released_.wait(lock, [&] { return phase_ != phase || cancelled_; });
  // A phase that completed before the cancel still counts: its parties all arrived.
  if (phase_ == phase) throw std::runtime_error(reason_);
}

void CancellableBarrier::cancel(const std::string& reason) {
  {
    std::lock_guard lock(mutex_);
    if (cancelled_) return;
    cancelled_ = true;
    reason_ = reason;
  }
  released_.notify_all();
}

}  // namespace curate::backends::local
