#include <doctest/doctest.h>

#include "actors/local_health.hpp"

using namespace hbs;

namespace {
constexpr int64_t ms = 1'000'000;
constexpr int64_t period = 100 * ms;
} // namespace

TEST_CASE("a tick on time keeps the period's cadence") {
  local_health h{period};
  CHECK(h.next_deadline(1000 * ms, 1000 * ms) == 1100 * ms);
  CHECK(h.next_deadline(1100 * ms, 1140 * ms) == 1200 * ms);
  CHECK(h.counters().num_late_ticks == 0);
  CHECK(h.counters().num_skipped == 0);
  CHECK(h.counters().max_lateness_ns == 40 * ms);
}

TEST_CASE("a tick half a second late restarts the cadence instead of catching up") {
  local_health h{period};
  // Catching up would close five periods within microseconds, none of them answerable.
  CHECK(h.next_deadline(1000 * ms, 1530 * ms) == 1630 * ms);
  CHECK(h.counters().num_late_ticks == 1);
  CHECK(h.counters().num_skipped == 5);
  CHECK(h.counters().max_lateness_ns == 530 * ms);
}

TEST_CASE("a tick just over half a period late gets a whole period for its request") {
  local_health h{period};
  CHECK(h.next_deadline(1000 * ms, 1060 * ms) == 1160 * ms);
  CHECK(h.counters().num_late_ticks == 1);
  CHECK(h.counters().num_skipped == 0);
}

TEST_CASE("a period whose request was out for at least a quarter period is judged") {
  local_health h{period};
  CHECK(h.judge(100 * ms, period, true, 0) == stall_reason::none);
  // A tick just under half a period late, then a slow vault: still a fair window.
  CHECK(h.judge(25 * ms, period, true, 0) == stall_reason::none);
  CHECK(h.counters().num_judged == 2);
  CHECK(h.num_stalled() == 0);
}

TEST_CASE("a period whose request left late is stalled, not judged") {
  local_health h{period};
  CHECK(h.judge(24 * ms, period, true, 0) == stall_reason::short_window);
  CHECK(h.judge(0, period, true, 0) == stall_reason::short_window);
  CHECK(h.counters().num_stalled_short == 2);
  CHECK(h.counters().num_judged == 0);
}

TEST_CASE("a period whose request did not leave is stalled, not judged") {
  local_health h{period};
  CHECK(h.judge(100 * ms, period, false, 0) == stall_reason::send_failed);
  CHECK(h.counters().num_stalled_send == 1);
}

TEST_CASE("a period in which the kernel dropped responses is stalled, not judged") {
  local_health h{period};
  CHECK(h.judge(100 * ms, period, true, 0) == stall_reason::none);
  CHECK(h.judge(100 * ms, period, true, 7) == stall_reason::socket_overflow);
  // The kernel's counter is cumulative: no new drop, the next period is judged again.
  CHECK(h.judge(100 * ms, period, true, 7) == stall_reason::none);
  CHECK(h.judge(100 * ms, period, true, 9) == stall_reason::socket_overflow);
  CHECK(h.counters().num_socket_drops == 9);
  CHECK(h.counters().num_stalled_overflow == 2);
  CHECK(h.counters().num_judged == 2);
}

TEST_CASE("the kernel's 32-bit drop counter wrapping is a few drops, not billions") {
  local_health h{period};
  CHECK(h.judge(100 * ms, period, true, 0xFFFFFFF0u) == stall_reason::socket_overflow);
  CHECK(h.judge(100 * ms, period, true, 0xFFFFFFF0u) == stall_reason::none);
  CHECK(h.judge(100 * ms, period, true, 3) == stall_reason::socket_overflow);
  CHECK(h.counters().num_socket_drops == uint64_t{0xFFFFFFF0u} + 19);
}

TEST_CASE("drops while no period was open are counted but stall nothing") {
  local_health h{period};
  h.rebase(500); // e.g. a flood while the controller was locked
  CHECK(h.judge(100 * ms, period, true, 500) == stall_reason::none);
  CHECK(h.counters().num_socket_drops == 500);
  CHECK(h.num_stalled() == 0);
}

TEST_CASE("a period is judged against the period its request left with") {
  local_health h{period};
  h.set_period(400 * ms); // MNFA back-off while the 100 ms request was out
  CHECK(h.judge(100 * ms, period, true, 0) == stall_reason::none);
  CHECK(h.next_deadline(1000 * ms, 1150 * ms) == 1400 * ms);
  CHECK(h.judge(90 * ms, 400 * ms, true, 0) == stall_reason::short_window);
  CHECK(h.judge(100 * ms, 400 * ms, true, 0) == stall_reason::none);
}

TEST_CASE("a stall that outlasts the loss threshold is judged anyway, until a fair period") {
  local_health h{period};
  h.set_patience(10);
  for (uint32_t i = 0; i < 10; ++i)
    CHECK(h.judge(100 * ms, period, true, i + 1) == stall_reason::socket_overflow);
  // A flood that never ends must not hide a dead host: from now on every period counts.
  for (uint32_t i = 10; i < 15; ++i)
    CHECK(h.judge(100 * ms, period, true, i + 1) == stall_reason::none);
  CHECK(h.counters().num_judged_anyway == 5);
  CHECK(h.judge(100 * ms, period, true, 15) == stall_reason::none); // fair: patience renewed
  CHECK(h.judge(100 * ms, period, true, 16) == stall_reason::socket_overflow);
  CHECK(h.counters().num_judged_anyway == 5);
}

TEST_CASE("busy time per period is reported as p50, p99 and the worst period") {
  local_health h{period};
  CHECK(h.busy().p99_us == 0);
  // 100 periods: 1..100 µs of handler time each, the 100th split over two handlers; the
  // thread ran for half of each.
  for (int64_t i = 1; i < 100; ++i) {
    h.note_busy(i * 1000, i * 500);
    h.end_period();
  }
  h.note_busy(60'000, 30'000);
  h.note_busy(40'000, 20'000);
  h.end_period();
  auto b = h.busy();
  CHECK(b.p50_us == 50);
  CHECK(b.p99_us == 99);
  CHECK(b.max_us == 100);
  auto c = h.busy_cpu();
  CHECK(c.p50_us == 25);
  CHECK(c.p99_us == 49);
  CHECK(c.max_us == 50);
}

TEST_CASE("busy figures cover the last minute only") {
  local_health h{period};
  h.note_busy(9'000'000, 9'000'000);
  h.end_period();
  h.note_busy(5'000'000, 5'000'000);
  h.forget_busy(); // the timer stopped: this was no period's work
  for (size_t i = 0; i < busy_window; ++i) {
    h.note_busy(2000, 1000);
    h.end_period();
  }
  auto b = h.busy();
  CHECK(b.p50_us == 2);
  CHECK(b.p99_us == 2);
  CHECK(b.max_us == 2);
  auto c = h.busy_cpu();
  CHECK(c.p50_us == 1);
  CHECK(c.max_us == 1);
}

TEST_CASE("every period's busy time since start is counted in its bucket, with the sum") {
  local_health h{period};
  for (int64_t us : {300, 800, 800, 12'000, 250'000}) {
    h.note_busy(us * 1000, us * 1000);
    h.end_period();
  }
  auto& hist = h.busy_since_start();
  CHECK(hist.counts[0] == 1);                     // <= 500 µs
  CHECK(hist.counts[1] == 2);                     // <= 1 ms
  CHECK(hist.counts[5] == 1);                     // <= 15 ms
  CHECK(hist.counts[busy_bounds_us.size()] == 1); // above 200 ms
  CHECK(hist.sum_us == 300 + 800 + 800 + 12'000 + 250'000);
}
