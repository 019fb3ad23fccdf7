#pragma once
// The agent's own health (issue 6 §4): a period is judged only when the agent could observe
// it. When the agent itself could not run in time (a late tick, a request that left late or
// not at all) or the kernel dropped datagrams on its socket, a missing response says nothing
// about the host, so the period is counted as stalled instead of blamed on anyone. A stall
// that lasts `patience` periods is judged anyway: a flood or a broken send path must not
// hide a dead host for ever. Pure: times are nanosecond counts on one monotonic clock.

#include <array>
#include <cstddef>
#include <cstdint>

namespace hbs {

enum class stall_reason : uint8_t {
  none,            // the period is judged
  short_window,    // the request was out for less than a quarter of its period
  socket_overflow, // the kernel dropped datagrams on the receive socket during the period
  send_failed,     // the request did not leave (to every host)
};

const char* to_string(stall_reason r);

struct local_health_counters {
  uint64_t num_judged = 0;
  uint64_t num_stalled_short = 0;    // stall_reason::short_window
  uint64_t num_stalled_overflow = 0; // stall_reason::socket_overflow
  uint64_t num_stalled_send = 0;     // stall_reason::send_failed
  uint64_t num_judged_anyway = 0;    // stalled, but for `patience` periods in a row
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

// The last busy_window per-period totals (µs) and their percentiles.
class busy_ring {
public:
  void add(int64_t us) { v_[n_++ % busy_window] = us; }
  busy_figures figures() const;

private:
  std::array<int64_t, busy_window> v_{};
  size_t n_ = 0;
};

// Upper bounds (µs) of the cumulative busy-time histogram (Prometheus buckets; +Inf after).
constexpr std::array<int64_t, 10> busy_bounds_us = {500,    1'000,  2'000,  5'000,  10'000,
                                                    15'000, 20'000, 50'000, 100'000, 200'000};

// Every period's busy time since start, by bucket (not cumulative across buckets), and sum.
struct busy_histogram {
  std::array<uint64_t, busy_bounds_us.size() + 1> counts{}; // last: above the largest bound
  int64_t sum_us = 0;
};

class local_health {
public:
  explicit local_health(int64_t period_ns) : period_(period_ns) {}

  void set_period(int64_t period_ns) { period_ = period_ns; }
  int64_t period() const { return period_; }
  // Consecutive stalled periods after which the next one is judged anyway (the loss
  // threshold: never longer than it takes to declare a host lost). 0: never.
  void set_patience(uint32_t periods) { patience_ = periods; }

  // A tick due at `deadline` runs at `now`: returns when the next one is due. On time, one
  // period later; more than half a period late, one period from now, so the request that
  // goes out now still gets a whole period to be answered and no burst of catch-up ticks
  // closes periods nobody could answer in.
  int64_t next_deadline(int64_t deadline, int64_t now);

  // At the close of a period: how long its request was out, the period that applied when
  // it left, whether it left, and the kernel's cumulative drop count for the socket.
  // Returns why the period is not judged, or none.
  stall_reason judge(int64_t window_ns, int64_t request_period_ns, bool sent,
                     uint32_t kernel_drops);
  // A period opens after none was judged (start, unlock, a host after idle): drops until
  // now are counted but belong to no period.
  void rebase(uint32_t kernel_drops);

  // Handler time spent on this period so far; end_period() files the total. Wall: from a
  // handler's start to its end, including any time the thread waited for a core. CPU: the
  // thread's own CPU time over the same span, the period's processing cost alone (the two
  // differ by what a busy machine took from the agent, e.g. a simulator on the same cores).
  void note_busy(int64_t wall_ns, int64_t cpu_ns) {
    busy_ns_ += wall_ns;
    busy_cpu_ns_ += cpu_ns;
  }
  void end_period();
  void forget_busy() { busy_ns_ = busy_cpu_ns_ = 0; } // no timer: this is no period's work
  busy_figures busy() const { return busy_.figures(); }
  busy_figures busy_cpu() const { return busy_cpu_.figures(); }
  const busy_histogram& busy_since_start() const { return hist_; }

  const local_health_counters& counters() const { return c_; }
  uint64_t num_stalled() const {
    return c_.num_stalled_short + c_.num_stalled_overflow + c_.num_stalled_send;
  }

private:
  stall_reason why_stalled(int64_t window_ns, int64_t request_period_ns, bool sent,
                           uint32_t dropped) const;

  int64_t period_;
  uint32_t patience_ = 0;
  uint32_t consecutive_stalls_ = 0;
  uint32_t last_drops_ = 0;
  local_health_counters c_;
  int64_t busy_ns_ = 0;
  int64_t busy_cpu_ns_ = 0;
  busy_ring busy_;
  busy_ring busy_cpu_;
  busy_histogram hist_; // wall time
};

} // namespace hbs
