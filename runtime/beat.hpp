#pragma once
// A "last seen working" timestamp one thread writes and the supervisor's watchdog reads,
// lock-free. What feeds systemd's watchdog must be proof that the work gets done, not that
// the main thread is alive.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace hbs {

inline int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct beat {
  static constexpr int64_t idle = -1; // nothing to do: not a stall

  std::atomic<int64_t> at_ns{steady_ns()};
  std::atomic<int64_t> allowed_ms{3000}; // older than this is a stall

  void now() { at_ns.store(steady_ns(), std::memory_order_relaxed); }
  void rest() { at_ns.store(idle, std::memory_order_relaxed); }
  // -1 when idle, else milliseconds since the last beat.
  int64_t age_ms() const {
    auto t = at_ns.load(std::memory_order_relaxed);
    return t == idle ? -1 : (steady_ns() - t) / 1000000;
  }
  bool stalled() const { return age_ms() > allowed_ms.load(std::memory_order_relaxed); }
};

} // namespace hbs
