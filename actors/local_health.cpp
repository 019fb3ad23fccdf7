#include "actors/local_health.hpp"

#include <algorithm>
#include <vector>

namespace hbs {

const char* to_string(stall_reason r) {
  switch (r) {
    case stall_reason::none: return "none";
    case stall_reason::short_window: return "request out for less than a quarter period";
    case stall_reason::socket_overflow: return "receive socket overflowed";
    case stall_reason::send_failed: return "request not sent";
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

stall_reason local_health::why_stalled(int64_t window_ns, int64_t request_period_ns, bool sent,
                                       uint32_t dropped) const {
  if (dropped > 0)
    return stall_reason::socket_overflow;
  if (!sent)
    return stall_reason::send_failed;
  // A tick up to half a period late leaves the request at least a quarter period, which a
  // host on a LAN answers in well under a millisecond.
  if (window_ns * 4 < request_period_ns)
    return stall_reason::short_window;
  return stall_reason::none;
}

stall_reason local_health::judge(int64_t window_ns, int64_t request_period_ns, bool sent,
                                 uint32_t kernel_drops) {
  // Unsigned difference: the kernel's 32-bit counter may wrap.
  uint32_t dropped = kernel_drops - last_drops_;
  last_drops_ = kernel_drops;
  c_.num_socket_drops += dropped;
  auto why = why_stalled(window_ns, request_period_ns, sent, dropped);
  if (why != stall_reason::none && patience_ > 0 && consecutive_stalls_ >= patience_) {
    // Out of patience: judged, and every following stalled period too until one is fair,
    // so a dead host is declared lost at most `patience` periods late.
    ++c_.num_judged_anyway;
    ++c_.num_judged;
    return stall_reason::none;
  }
  switch (why) {
    case stall_reason::none: consecutive_stalls_ = 0; ++c_.num_judged; break;
    case stall_reason::short_window: ++consecutive_stalls_; ++c_.num_stalled_short; break;
    case stall_reason::socket_overflow: ++consecutive_stalls_; ++c_.num_stalled_overflow; break;
    case stall_reason::send_failed: ++consecutive_stalls_; ++c_.num_stalled_send; break;
  }
  return why;
}

void local_health::rebase(uint32_t kernel_drops) {
  c_.num_socket_drops += static_cast<uint32_t>(kernel_drops - last_drops_);
  last_drops_ = kernel_drops;
  consecutive_stalls_ = 0;
}

void local_health::end_period() {
  auto us = busy_ns_ / 1000;
  busy_.add(us);
  busy_cpu_.add(busy_cpu_ns_ / 1000);
  busy_ns_ = busy_cpu_ns_ = 0;
  size_t b = 0;
  while (b < busy_bounds_us.size() && us > busy_bounds_us[b])
    ++b;
  ++hist_.counts[b];
  hist_.sum_us += us;
}

busy_figures busy_ring::figures() const {
  auto n = std::min(n_, busy_window);
  if (n == 0)
    return {};
  std::vector<int64_t> v(v_.begin(), v_.begin() + static_cast<std::ptrdiff_t>(n));
  auto at = [&](size_t rank) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(rank), v.end());
    return v[rank];
  };
  // Nearest rank: the smallest value with at least p % of the periods at or below it.
  auto p50 = at((n - 1) / 2);
  auto p99 = at((n * 99 + 99) / 100 - 1);
  return {p50, p99, *std::max_element(v.begin(), v.end())};
}

} // namespace hbs
