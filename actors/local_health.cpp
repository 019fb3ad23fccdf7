#include "actors/local_health.hpp"

#include <algorithm>
#include <vector>

namespace hbs {

const char* to_string(stall_reason r) {
  switch (r) {
    case stall_reason::none: return "none";
    case stall_reason::short_window: return "request out for less than half a period";
    case stall_reason::socket_overflow: return "receive socket overflowed";
  }
  return "?";
}

int64_t local_health::next_deadline(int64_t deadline, int64_t now) {
  auto late = now - deadline;
  c_.max_lateness_ns = std::max(c_.max_lateness_ns, late);
  if (late * 2 <= period_)
    return deadline + period_;
  ++c_.num_late_ticks;
  c_.num_skipped += static_cast<uint64_t>(late / period_);
  return now + period_;
}

stall_reason local_health::judge(int64_t window_ns, uint64_t kernel_drops) {
  // The kernel's counter is cumulative and only grows; a smaller value means a new socket.
  uint64_t dropped = kernel_drops >= last_drops_ ? kernel_drops - last_drops_ : kernel_drops;
  last_drops_ = kernel_drops;
  c_.num_socket_drops += dropped;
  if (dropped > 0) {
    ++c_.num_stalled_overflow;
    return stall_reason::socket_overflow;
  }
  if (window_ns * 2 < period_) {
    ++c_.num_stalled_short;
    return stall_reason::short_window;
  }
  ++c_.num_judged;
  return stall_reason::none;
}

void local_health::end_period() {
  auto us = busy_ns_ / 1000;
  busy_[num_busy_++ % busy_window] = us;
  busy_max_us_ = std::max(busy_max_us_, us);
  busy_ns_ = 0;
}

busy_figures local_health::busy() const {
  auto n = std::min(num_busy_, busy_window);
  if (n == 0)
    return {};
  std::vector<int64_t> v(busy_.begin(), busy_.begin() + static_cast<std::ptrdiff_t>(n));
  auto at = [&](size_t rank) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(rank), v.end());
    return v[rank];
  };
  // Nearest rank: the smallest value with at least p % of the periods at or below it.
  auto p50 = at((n - 1) / 2);
  auto p99 = at((n * 99 + 99) / 100 - 1);
  return {p50, p99, busy_max_us_};
}

} // namespace hbs
