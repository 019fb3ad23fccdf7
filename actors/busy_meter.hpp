#pragma once
// How long a handler kept a scheduler thread (wall) and how much of that the thread ran
// (CPU): the network's busy figures (local_health).
#include <chrono>
#include <ctime>

#include "actors/local_health.hpp"

namespace hbs {

inline int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Real (not actor) clocks, for the scope of one handler.
struct busy_meter {
  local_health& h;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  int64_t cpu0 = thread_cpu_ns();
  ~busy_meter() {
    h.note_busy(std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::steady_clock::now() - t0).count(), thread_cpu_ns() - cpu0);
  }
};

} // namespace hbs
