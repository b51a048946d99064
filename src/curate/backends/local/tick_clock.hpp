#pragma once

#include <chrono>
#include <cstdint>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <x86intrin.h>
#define CURATE_TICKS_ARE_TSC 1
#endif

namespace curate::backends::local {

/// A point in time in ticks of `now_ticks`; differences convert with `ticks_to_seconds`.
using Ticks = std::int64_t;

/// Return the current tick count, cheaply: the executor reads it around every call of
/// every stage. On x86-64 it is the time-stamp counter (invariant on every x86-64 CPU of
/// the last 15 years; clock_gettime costs 50-80 ns under a hypervisor), elsewhere
/// steady_clock nanoseconds. Any thread.
inline Ticks now_ticks() {
#ifdef CURATE_TICKS_ARE_TSC
  return static_cast<Ticks>(__rdtsc());
#else
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
#endif
}

/// Return the seconds one tick lasts, measured once per process against steady_clock
/// (a 2 ms spin on the first call; call it before a timed region). Thread-safe.
double seconds_per_tick();

/// Return the seconds between two tick counts (0 when `to` is not after `from`), with
/// `per_tick` from `seconds_per_tick()` (callers on hot paths keep a copy).
inline double ticks_to_seconds(Ticks from, Ticks to, double per_tick) {
  return to > from ? static_cast<double>(to - from) * per_tick : 0.0;
}

/// Return the seconds between two tick counts (0 when `to` is not after `from`).
inline double ticks_to_seconds(Ticks from, Ticks to) {
  return ticks_to_seconds(from, to, seconds_per_tick());
}

}  // namespace curate::backends::local
