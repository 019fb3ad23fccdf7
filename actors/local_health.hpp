#pragma once
// The agent's own health (issue 6 §4): a period is judged only when the agent could observe
// it. When the agent itself could not run in time (a late tick, a request that left late) or
// the kernel dropped datagrams on its socket, a missing response says nothing about the host,
// so the period is counted as stalled instead of blamed on anyone. Pure: times are plain
// nanosecond counts on one monotonic clock.

#include <array>
#include <cstddef>
#include <cstdint>

namespace hbs {

enum class stall_reason : uint8_t {
  none,            // the period is judged
  short_window,    // the request was out for less than half a period
  socket_overflow, // the kernel dropped datagrams on the receive socket during the period
};

const char* to_string(stall_reason r);

struct local_health_counters {
  uint64_t num_judged = 0;
  uint64_t num_stalled_short = 0;    // stall_reason::short_window
  uint64_t num_stalled_overflow = 0; // stall_reason::socket_overflow
  uint64_t num_late_ticks = 0;       // ticks that ran more than half a period late
  uint64_t num_skipped = 0;          // whole periods the agent slept through
  uint64_t num_socket_drops = 0;     // datagrams the kernel dropped, as it reported them
  int64_t max_lateness_ns = 0;
};

// How long the agent was busy per period (handler time between two ticks), over the last
// busy_window periods: the processing cost of one period, next to the period itself.
struct busy_figures {
  int64_t p50_us = 0;
  int64_t p99_us = 0;
  int64_t max_us = 0;
};
constexpr size_t busy_window = 600; // one minute at 100 ms

class local_health {
public:
  explicit local_health(int64_t period_ns) : period_(period_ns) {}

  void set_period(int64_t period_ns) { period_ = period_ns; }
  int64_t period() const { return period_; }

  // A tick due at `deadline` runs at `now`: returns when the next one is due. On time, one
  // period later; more than half a period late, one period from now, so the request that
  // goes out now still gets a whole period to be answered and no burst of catch-up ticks
  // closes periods nobody could answer in.
  int64_t next_deadline(int64_t deadline, int64_t now);

  // At the close of a period: how long its request was out and the kernel's cumulative
  // drop count for the socket. Returns why the period is not judged, or none.
  stall_reason judge(int64_t window_ns, uint64_t kernel_drops);

  // Handler time spent on this period so far; end_period() files the total.
  void note_busy(int64_t ns) { busy_ns_ += ns; }
  void end_period();
  busy_figures busy() const;

  const local_health_counters& counters() const { return c_; }
  uint64_t num_stalled() const { return c_.num_stalled_short + c_.num_stalled_overflow; }

private:
  int64_t period_;
  uint64_t last_drops_ = 0;
  local_health_counters c_;
  int64_t busy_ns_ = 0;
  std::array<int64_t, busy_window> busy_{}; // ring of per-period totals, in microseconds
  size_t num_busy_ = 0;
  int64_t busy_max_us_ = 0;
};

} // namespace hbs
