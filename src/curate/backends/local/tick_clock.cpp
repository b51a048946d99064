#include "curate/backends/local/tick_clock.hpp"

namespace curate::backends::local {
namespace {

double calibrate() {
#ifdef CURATE_TICKS_ARE_TSC
  // Both clocks run through any preemption during the spin, so the ratio stays right.
  const auto wall_start = std::chrono::steady_clock::now();
  const Ticks ticks_start = now_ticks();
  auto wall_end = wall_start;
  while (wall_end - wall_start < std::chrono::milliseconds(2)) {
    wall_end = std::chrono::steady_clock::now();
  }
  const Ticks ticks_end = now_ticks();
  const double seconds = std::chrono::duration<double>(wall_end - wall_start).count();
  if (ticks_end > ticks_start) return seconds / static_cast<double>(ticks_end - ticks_start);
#endif
  return 1e-9;
}

}  // namespace

double seconds_per_tick() {
  static const double seconds = calibrate();
  return seconds;
}

}  // namespace curate::backends::local
