#include <doctest/doctest.h>

#include "actors/local_health.hpp"

using namespace hbs;

namespace {
constexpr int64_t ms = 1'000'000;
} // namespace

TEST_CASE("a tick on time keeps the period's cadence") {
  local_health h{100 * ms};
  CHECK(h.next_deadline(1000 * ms, 1000 * ms) == 1100 * ms);
  CHECK(h.next_deadline(1100 * ms, 1140 * ms) == 1200 * ms);
  CHECK(h.counters().num_late_ticks == 0);
  CHECK(h.counters().num_skipped == 0);
  CHECK(h.counters().max_lateness_ns == 40 * ms);
}

TEST_CASE("a tick half a second late restarts the cadence instead of catching up") {
  local_health h{100 * ms};
  // Catching up would close five periods within microseconds, none of them answerable.
  CHECK(h.next_deadline(1000 * ms, 1530 * ms) == 1630 * ms);
  CHECK(h.counters().num_late_ticks == 1);
  CHECK(h.counters().num_skipped == 5);
  CHECK(h.counters().max_lateness_ns == 530 * ms);
}

TEST_CASE("a tick just over half a period late gets a whole period for its request") {
  local_health h{100 * ms};
  CHECK(h.next_deadline(1000 * ms, 1060 * ms) == 1160 * ms);
  CHECK(h.counters().num_late_ticks == 1);
  CHECK(h.counters().num_skipped == 0);
}

TEST_CASE("a period whose request was out for a full period is judged") {
  local_health h{100 * ms};
  CHECK(h.judge(100 * ms, 0) == stall_reason::none);
  CHECK(h.judge(50 * ms, 0) == stall_reason::none);
  CHECK(h.counters().num_judged == 2);
  CHECK(h.num_stalled() == 0);
}

TEST_CASE("a period whose request left late is stalled, not judged") {
  local_health h{100 * ms};
  CHECK(h.judge(49 * ms, 0) == stall_reason::short_window);
  CHECK(h.judge(0, 0) == stall_reason::short_window);
  CHECK(h.counters().num_stalled_short == 2);
  CHECK(h.counters().num_judged == 0);
}

TEST_CASE("a period in which the kernel dropped responses is stalled, not judged") {
  local_health h{100 * ms};
  CHECK(h.judge(100 * ms, 0) == stall_reason::none);
  CHECK(h.judge(100 * ms, 7) == stall_reason::socket_overflow);
  // The kernel's counter is cumulative: no new drop, the next period is judged again.
  CHECK(h.judge(100 * ms, 7) == stall_reason::none);
  CHECK(h.judge(100 * ms, 9) == stall_reason::socket_overflow);
  CHECK(h.counters().num_socket_drops == 9);
  CHECK(h.counters().num_stalled_overflow == 2);
  CHECK(h.counters().num_judged == 2);
}

TEST_CASE("a socket reopened with a fresh drop counter is not mistaken for no drops") {
  local_health h{100 * ms};
  CHECK(h.judge(100 * ms, 50) == stall_reason::socket_overflow);
  CHECK(h.judge(100 * ms, 3) == stall_reason::socket_overflow);
  CHECK(h.counters().num_socket_drops == 53);
}

TEST_CASE("a longer period after a back-off widens what counts as on time") {
  local_health h{100 * ms};
  h.set_period(400 * ms);
  CHECK(h.next_deadline(1000 * ms, 1150 * ms) == 1400 * ms);
  CHECK(h.judge(150 * ms, 0) == stall_reason::short_window);
  CHECK(h.judge(250 * ms, 0) == stall_reason::none);
}

TEST_CASE("busy time per period is reported as p50, p99 and the worst period") {
  local_health h{100 * ms};
  CHECK(h.busy().p99_us == 0);
  // 100 periods: 1..100 µs of handler time each, the 100th split over two handlers.
  for (int64_t i = 1; i < 100; ++i) {
    h.note_busy(i * 1000);
    h.end_period();
  }
  h.note_busy(60'000);
  h.note_busy(40'000);
  h.end_period();
  auto b = h.busy();
  CHECK(b.p50_us == 50);
  CHECK(b.p99_us == 99);
  CHECK(b.max_us == 100);
}

TEST_CASE("busy percentiles cover the last minute while the maximum is kept for good") {
  local_health h{100 * ms};
  h.note_busy(9'000'000);
  h.end_period();
  for (size_t i = 0; i < busy_window; ++i) {
    h.note_busy(2000);
    h.end_period();
  }
  auto b = h.busy();
  CHECK(b.p50_us == 2);
  CHECK(b.p99_us == 2);
  CHECK(b.max_us == 9000);
}
