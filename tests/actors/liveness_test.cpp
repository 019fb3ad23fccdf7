#include <doctest/doctest.h>

#include <map>
#include <vector>

#include "actors/liveness.hpp"

using namespace hbs;

namespace {

// Feeds n misses and records the period (1-based) at which each transition first fired.
std::map<transition, uint32_t> misses(liveness& l, uint32_t n) {
  std::map<transition, uint32_t> at;
  for (uint32_t i = 1; i <= n; ++i) {
    auto t = l.on_miss();
    for (auto bit : {tr_miss, tr_minor_set, tr_degrade_set, tr_loss, tr_degrade_only})
      if ((t & bit) && !at.count(bit))
        at[bit] = i;
  }
  return at;
}

} // namespace

TEST_CASE("on management minor fires at miss 4, degrade at 6 and loss at 10") {
  liveness l{{}, true, false};
  auto at = misses(l, 12);
  CHECK(at[tr_miss] == 2);
  CHECK(at[tr_minor_set] == 4);
  CHECK(at[tr_degrade_set] == 6);
  CHECK(at[tr_loss] == 10);
  CHECK(at.count(tr_degrade_only) == 0);
  CHECK(l.failed());
  CHECK(l.b2b() == 12);
  CHECK(l.max_b2b() == 12);
  CHECK(l.num_misses() == 12);
}

TEST_CASE("each transition fires once, in the exact period and no other") {
  liveness l{{}, true, false};
  for (uint32_t i = 1; i <= 30; ++i) {
    auto t = l.on_miss();
    CHECK(((t & tr_minor_set) != 0) == (i == 4));
    CHECK(((t & tr_degrade_set) != 0) == (i == 6));
    CHECK(((t & tr_loss) != 0) == (i == 10));
    CHECK(((t & tr_miss) != 0) == (i > 1 && i < 10));
  }
}

TEST_CASE("cluster-host never raises minor") {
  liveness l{{}, false, false};
  auto at = misses(l, 10);
  CHECK(at.count(tr_minor_set) == 0);
  CHECK(at[tr_degrade_set] == 6);
  CHECK(at[tr_loss] == 10);
}

TEST_CASE("a degrade-only network reports loss without failing the host") {
  liveness l{{}, false, true};
  auto at = misses(l, 10);
  CHECK(at[tr_loss] == 10);
  CHECK(at[tr_degrade_only] == 10);
  CHECK_FALSE(l.failed());
  CHECK(l.degraded());
  CHECK(l.on_response() == (tr_start | tr_degrade_clear)); // one response clears it
}

TEST_CASE("one response clears a host that was not lost") {
  liveness l{{}, true, false};
  misses(l, 7);
  REQUIRE(l.minor());
  REQUIRE(l.degraded());
  auto t = l.on_response();
  CHECK(t == (tr_start | tr_minor_clear | tr_degrade_clear));
  CHECK(l.b2b() == 0);
  CHECK(l.max_b2b() == 7);
  CHECK_FALSE(l.minor());
  CHECK_FALSE(l.degraded());
}

TEST_CASE("a lost host recovers only at the tenth consecutive response") {
  liveness l{{}, true, false};
  misses(l, 12);
  for (uint32_t i = 1; i <= 9; ++i) {
    auto t = l.on_response();
    CHECK((t & (tr_recovered | tr_degrade_clear | tr_minor_clear)) == 0);
    CHECK(l.failed());
    CHECK(l.b2b() == 12); // kept until recovery
  }
  auto t = l.on_response();
  CHECK(t == (tr_recovered | tr_pass | tr_degrade_clear | tr_minor_clear));
  CHECK_FALSE(l.failed());
  CHECK(l.b2b() == 0);
}

TEST_CASE("a miss during recovery restarts the count of ten") {
  liveness l{{}, true, false};
  misses(l, 10);
  for (int i = 0; i < 5; ++i)
    l.on_response();
  l.on_miss();
  for (int i = 0; i < 9; ++i)
    CHECK((l.on_response() & tr_recovered) == 0);
  CHECK((l.on_response() & tr_recovered) != 0);
}

TEST_CASE("loss is reported again at b2b 100010 and not in between") {
  liveness l{{}, true, false};
  uint32_t losses = 0;
  uint32_t last = 0;
  for (uint32_t i = 1; i <= 100010; ++i)
    if (l.on_miss() & tr_loss) {
      ++losses;
      last = i;
    }
  CHECK(losses == 2);
  CHECK(last == 100010);
  CHECK((l.on_miss() & tr_loss) == 0);
}

TEST_CASE("heartbeat start fires on the first response and pass at the tenth") {
  liveness l{{}, true, false};
  std::vector<uint32_t> starts, passes;
  for (uint32_t i = 1; i <= 12; ++i) {
    auto t = l.on_response();
    if (t & tr_start)
      starts.push_back(i);
    if (t & tr_pass)
      passes.push_back(i);
  }
  CHECK(starts == std::vector<uint32_t>{1});
  CHECK(passes == std::vector<uint32_t>{10});
  CHECK(l.num_pulses() == 12);
}

TEST_CASE("restart clears counters and flags") {
  liveness l{{3, 5, 8}, true, false};
  misses(l, 9);
  REQUIRE(l.failed());
  l.restart();
  CHECK(l.b2b() == 0);
  CHECK(l.num_misses() == 0);
  CHECK_FALSE(l.failed());
  CHECK_FALSE(l.minor());
  CHECK(l.limits().loss == 8);
  auto at = misses(l, 8);
  CHECK(at[tr_minor_set] == 3);
  CHECK(at[tr_degrade_set] == 5);
  CHECK(at[tr_loss] == 8);
}

TEST_CASE("attendance counts one response per period for the current sequence only") {
  attendance a;
  CHECK(a.note(0) == receipt::stale); // nothing asked yet
  a.open(41);
  CHECK(a.note(40) == receipt::stale);
  CHECK(a.note(41) == receipt::counted);
  CHECK(a.note(41) == receipt::duplicate);
  CHECK(a.answered());
  a.open(42);
  CHECK_FALSE(a.answered());
  CHECK(a.note(41) == receipt::stale); // a late answer to the previous period
  CHECK(a.note(42) == receipt::counted);
}

TEST_CASE("a threshold moved up or down at any miss count fires at the next miss when the "
          "count is at or above it") {
  const thresholds base{4, 6, 10};
  // Every count before the change, every new value of each threshold.
  for (uint32_t count = 0; count <= 12; ++count)
    for (int which = 0; which < 3; ++which)
      for (uint32_t to = 2; to <= 14; ++to) {
        thresholds t = base;
        uint32_t* field = which == 0 ? &t.minor : which == 1 ? &t.degrade : &t.loss;
        *field = to;
        if (t.minor > t.degrade || t.degrade >= t.loss)
          continue; // not a valid configuration (config/validate refuses it)
        CAPTURE(count);
        CAPTURE(which);
        CAPTURE(to);
        liveness l{base, true, false};
        transitions seen = 0;
        for (uint32_t i = 0; i < count; ++i)
          seen |= l.on_miss();
        l.set_thresholds(t);
        auto next = l.on_miss(); // miss number count + 1
        seen |= next;
        uint32_t b2b = count + 1;
        // What holds after that miss: every threshold at or below the count has fired, once.
        CHECK(l.minor() == (b2b >= t.minor || count >= base.minor));
        CHECK(l.degraded() == (b2b >= t.degrade || count >= base.degrade));
        CHECK(l.failed() == (b2b >= t.loss || count >= base.loss));
        bool fired_before = count >= base.loss;
        CHECK(static_cast<bool>(next & tr_loss) == (b2b >= t.loss && !fired_before));
        CHECK(static_cast<bool>(next & tr_minor_set) == (b2b >= t.minor && count < base.minor));
        CHECK(static_cast<bool>(next & tr_degrade_set)
              == (b2b >= t.degrade && count < base.degrade));
      }
}

TEST_CASE("a loss threshold lowered below the count is reported once, then every 100000") {
  liveness l{{4, 6, 10}, true, false};
  for (int i = 0; i < 8; ++i)
    l.on_miss();
  l.set_thresholds({4, 6, 7});
  CHECK((l.on_miss() & tr_loss) != 0); // b2b 9 >= 7: now, not 100,000 periods later
  int reports = 0;
  for (uint32_t b2b = 10; b2b <= 100009 + 1; ++b2b)
    reports += (l.on_miss() & tr_loss) != 0;
  CHECK(reports == 1); // at b2b 100009
}
