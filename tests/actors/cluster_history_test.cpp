#include <doctest/doctest.h>

#include "actors/cluster_history.hpp"

using namespace hbs;
using wire::history_entry;

namespace {

period_summary summary(uint8_t net, uint16_t enabled, uint16_t responding) {
  period_summary s;
  s.network = net;
  s.enabled = enabled;
  s.responding = responding;
  return s;
}

// What controller-1's requests carry, as a client would echo it to controller-0.
wire::cluster_block peer_block(uint16_t enabled, uint16_t responding, uint8_t networks = 1) {
  cluster_history c1{1, 100};
  for (int period = 0; period < 25; ++period) // a full ring, as after 2.5 s
    for (uint8_t n = 0; n < networks; ++n)
      c1.close_period(summary(n, enabled, responding), false);
  return c1.own_block();
}

} // namespace

TEST_CASE("each period end appends this controller's enabled:responding entry") {
  cluster_history v{0, 100};
  v.close_period(summary(0, 30, 30), false);
  v.close_period(summary(0, 30, 29), false);
  auto* h = v.find(0, 0);
  REQUIRE(h != nullptr);
  CHECK(h->entries == 2);
  CHECK(h->oldest == 2);
  CHECK(h->newest() == history_entry{30, 29});
  CHECK(v.vault().period_msec == 100);
}

TEST_CASE("no entry is written while no host is monitored") {
  cluster_history v{0, 100};
  v.close_period(summary(0, 0, 0), false);
  CHECK(v.vault().num_histories == 0);
}

TEST_CASE("storage-0 stays responding through three misses and is cleared at the fourth") {
  cluster_history v{0, 100};
  auto s = summary(0, 5, 5);
  s.storage0_monitored = true;
  s.storage0_answered = true;
  v.close_period(s, false);
  CHECK(v.vault().storage0_enabled == 1);
  CHECK(v.take_reasons() == "storage-0 state change");
  s.storage0_answered = false;
  for (int i = 1; i <= 3; ++i) {
    v.close_period(s, false);
    CHECK(v.find(0, 0)->storage0_responding);
  }
  v.close_period(s, false);
  CHECK_FALSE(v.find(0, 0)->storage0_responding);
  s.storage0_answered = true;
  v.close_period(s, false);
  CHECK(v.find(0, 0)->storage0_responding); // one response sets it again at once
  s.storage0_monitored = false;
  v.close_period(s, false);
  CHECK_FALSE(v.find(0, 0)->storage0_responding);
  CHECK(v.vault().storage0_enabled == 0);
}

TEST_CASE("the SM heartbeat result is the sm_heartbeat_fail bit of this period") {
  cluster_history v{0, 100};
  v.close_period(summary(0, 3, 3), true);
  CHECK(v.find(0, 0)->sm_heartbeat_fail);
  v.close_period(summary(0, 3, 3), false);
  CHECK_FALSE(v.find(0, 0)->sm_heartbeat_fail);
}

TEST_CASE("peer histories are saved wholesale and a change is a reason to push") {
  cluster_history v{0, 100};
  v.set_peer_enabled();
  auto s = summary(0, 30, 30);
  s.got_peer = true;
  s.peer = peer_block(30, 20);
  v.close_period(s, false);
  CHECK(v.take_reasons() == "peer controller cluster Mgmnt, receiving peer controller view");
  REQUIRE(v.find(1, 0) != nullptr);
  CHECK(v.find(1, 0)->newest() == history_entry{30, 20});
  CHECK(v.find(0, 0)->newest() == history_entry{30, 30});
  // Same health: no reason. Worse health: a delta.
  v.close_period(s, false);
  CHECK_FALSE(v.reasons_pending());
  s.peer = peer_block(30, 30);
  v.close_period(s, false);
  CHECK(v.take_reasons() == "peer cluster delta Mgmnt");
  CHECK(v.own_block().num_histories == 1); // requests carry only our own history
  CHECK(v.vault().num_histories == 2);
}

TEST_CASE("a period without peer history injects 0:0 into every peer history") {
  cluster_history v{0, 100};
  v.set_peer_enabled();
  auto s = summary(0, 30, 30);
  s.got_peer = true;
  s.peer = peer_block(30, 28, 2);
  v.close_period(s, false);
  v.take_reasons();
  auto before = v.find(1, 1)->oldest;
  v.close_period(summary(0, 30, 30), false); // nobody carried controller-1's view
  CHECK(v.take_reasons() == "missing peer controller view");
  for (uint8_t n : {0, 1}) {
    auto* h = v.find(1, n);
    CHECK(h->ring[before] == history_entry{});
    CHECK(h->oldest == (before + 1) % 20);
  }
  // It keeps zeroing while the peer stays silent, until the ring holds only zeros.
  for (int i = 0; i < 19; ++i) {
    v.close_period(summary(0, 30, 30), false);
    CHECK(v.take_reasons() == "missing peer controller view");
  }
  for (auto& e : v.find(1, 0)->ring)
    CHECK(e == history_entry{});
  v.close_period(summary(0, 30, 30), false);
  CHECK_FALSE(v.reasons_pending()); // nothing left to zero
  s.peer = peer_block(30, 30);
  v.close_period(s, false);
  CHECK(v.take_reasons().find("receiving peer controller view") != std::string::npos);
}

TEST_CASE("nothing is injected before the peer controller is monitored") {
  cluster_history v{0, 100};
  auto s = summary(0, 30, 30);
  s.got_peer = true;
  s.peer = peer_block(30, 30);
  v.close_period(s, false);
  v.take_reasons();
  v.close_period(summary(0, 30, 30), false);
  CHECK_FALSE(v.reasons_pending());
  CHECK(v.find(1, 0)->newest() == history_entry{30, 30});
}

TEST_CASE("a locked controller zeroes its vault and records nothing until unlocked") {
  cluster_history v{0, 100};
  v.close_period(summary(0, 30, 30), false);
  v.set_locked(true);
  CHECK(v.vault().num_histories == 0);
  CHECK(v.take_reasons() == "this controller locked");
  v.close_period(summary(0, 30, 30), false);
  CHECK(v.vault().num_histories == 0);
  v.set_locked(false);
  v.close_period(summary(0, 30, 30), false);
  CHECK(v.find(0, 0)->entries == 1);
}

TEST_CASE("a period change keeps the history SM relies on") {
  cluster_history v{0, 100};
  for (int i = 0; i < 5; ++i)
    v.close_period(summary(0, 30, 30), false);
  v.set_period(400);
  CHECK(v.vault().period_msec == 400);
  CHECK(v.find(0, 0)->entries == 5);
}

TEST_CASE("SM heartbeat fails after 800 ms of silence and needs 16 steady beats") {
  sm_heartbeat sm{0};
  CHECK_FALSE(sm.evaluate(800)); // the first 800 ms count as ok
  CHECK(sm.evaluate(801));
  int64_t t = 1000;
  for (int i = 1; i <= 15; ++i, t += 100) {
    sm.beat(t);
    CHECK(sm.evaluate(t));
  }
  sm.beat(t);
  CHECK_FALSE(sm.evaluate(t)); // the 16th beat
}

TEST_CASE("SM heartbeat recovery restarts when beats stop coming steadily") {
  sm_heartbeat sm{0};
  sm.evaluate(900);
  REQUIRE(sm.failing());
  int64_t t = 1000;
  for (int i = 0; i < 5; ++i, t += 100)
    sm.beat(t), sm.evaluate(t);
  t += 500; // a gap below 800 ms but far too slow
  sm.beat(t);
  CHECK(sm.evaluate(t));
  for (int i = 0; i < 14; ++i) {
    t += 100;
    sm.beat(t);
    CHECK(sm.evaluate(t)); // 15 beats since the interruption: still failing
  }
  t += 100;
  sm.beat(t);
  CHECK_FALSE(sm.evaluate(t));
}
