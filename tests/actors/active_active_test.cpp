// Two agents and 30 hosts per agent in one actor system on a simulated network: the
// criss-cross, peer history injection, storage-0, SM heartbeat and query, roles, lock.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include "messages/sm_request.hpp"
#include "tests/support/two_agents.hpp"

using namespace hbs;
using namespace std::chrono_literals;

namespace {

using two_agents = test::two_agents;
using test::worker_addr;
using test::c_addr;

using test::count;

} // namespace

TEST_CASE_FIXTURE(two_agents, "each agent heartbeats every host and the other controller") {
  advance(3s);
  for (int me : {0, 1}) {
    auto st = ask<agent_status>(ctrl[me], status_atom_v);
    CHECK(st.networks[0].expected == 30); // never itself
    CHECK(st.networks[0].responding == 30);
    auto v = vault(me);
    REQUIRE(v.histories.size() == 2);
    CHECK(hist(v, 0).responding.back() == 30);
    CHECK(hist(v, 1).responding.back() == 30);
    CHECK(hist(v, 0).enabled.size() == 20);
  }
  CHECK(ask<peer_status>(ctrl[0], peer_atom_v).link_up);
}

TEST_CASE_FIXTURE(two_agents, "controller-1's partial view reaches controller-0 through the "
                              "clients within two periods") {
  advance(3s);
  for (int i = 0; i < 10; ++i)
    cut_from_c1.push_back(parse_ipv4(worker_addr(i)));
  auto cut = now();
  advance(100ms); // the first request controller-1 sends into the cut
  advance(100ms); // ... closes at 20/30 and rides controller-1's next request
  advance(200ms); // two periods later controller-0 holds it
  auto v0 = vault(0);
  CHECK(hist(v0, 1).responding.back() == 20);
  CHECK(hist(v0, 1).enabled.back() == 30);
  CHECK(hist(v0, 0).responding.back() == 30); // its own view is intact
  CHECK(now() - cut == 400ms);
  auto v1 = vault(1);
  CHECK(hist(v1, 1).responding.back() == 20);
  CHECK(hist(v1, 0).responding.back() == 30); // and controller-1 sees controller-0's
}

TEST_CASE_FIXTURE(two_agents, "with no peer history in a period 0:0 is injected") {
  advance(3s);
  // controller-1 locks: it sends nothing and its history vanishes from every client.
  CHECK(ask<std::string>(ctrl[1], lock_atom_v, true) == "controller-1 locked");
  advance(1s); // caches go stale after 2 x histories missed requests, then 0:0 each period
  auto h = hist(vault(0), 1);
  CHECK(h.enabled.back() == 0);
  CHECK(h.responding.back() == 0);
  CHECK(vault(1).histories.empty()); // a locked controller zeroes its own vault
  CHECK(ask<agent_status>(ctrl[1], status_atom_v).role == "inactive (locked)");
  ask<std::string>(ctrl[1], lock_atom_v, false);
  advance(1s);
  CHECK(hist(vault(0), 1).responding.back() == 30);
}

TEST_CASE_FIXTURE(two_agents, "storage-0 stays responding through 3 misses and not after 4") {
  advance(3s);
  auto s0 = parse_ipv4("127.0.2.1");
  auto prev = simnet.drop;
  simnet.drop = [=](uint32_t from, uint32_t to, uint16_t p) {
    return from == s0 || to == s0 || prev(from, to, p);
  };
  advance(400ms); // three closed periods without storage-0 (the 4th closes at +500 ms)
  CHECK(hist(vault(0), 0).storage0_responding);
  advance(100ms);
  CHECK_FALSE(hist(vault(0), 0).storage0_responding);
  CHECK(vault(0).storage0_enabled);
  simnet.drop = prev;
  advance(200ms);
  CHECK(hist(vault(0), 0).storage0_responding);
}

TEST_CASE_FIXTURE(two_agents, "SM alive pulses stopping set the SM bit after 800 ms and 16 "
                              "beats clear it") {
  const std::string beat = R"({"origin":"sm","service":"heartbeat","request":"cluster_info",)"
                           R"("reqid":"0"})";
  for (int i = 0; i < 20; ++i) {
    sm_send(0, beat);
    advance(100ms);
  }
  CHECK_FALSE(vault(0).sm_heartbeat_fail);
  advance(700ms); // the last beat was 100 ms ago: now 800 ms, still alive
  CHECK_FALSE(vault(0).sm_heartbeat_fail);
  advance(100ms);
  CHECK(vault(0).sm_heartbeat_fail);
  CHECK(hist(vault(0), 0).sm_heartbeat_fail);
  advance(300ms); // controller-1's SM learns it through the clients' criss-cross
  CHECK(hist(vault(1), 0).sm_heartbeat_fail);
  for (int i = 0; i < 15; ++i) {
    sm_send(0, beat);
    advance(100ms);
    CHECK(vault(0).sm_heartbeat_fail);
  }
  sm_send(0, beat);
  advance(100ms);
  CHECK_FALSE(vault(0).sm_heartbeat_fail);
  for (int i = 0; i < 3; ++i) {
    sm_send(0, beat);
    advance(100ms);
  }
  CHECK_FALSE(hist(vault(1), 0).sm_heartbeat_fail);
}

TEST_CASE_FIXTURE(two_agents, "an SM query gets the binary vault with its reqid echoed") {
  advance(3s);
  datagram d;
  while (sm[0]->receive(&d, 1) == 1) {
  } // drop the pushes so far
  sm_send(0, R"({"origin":"sm","service":"heartbeat","request":"cluster_info","reqid":4242})");
  sm_send(0, R"({"origin":"sm","service":"heartbeat","request":"cluster_info"})");
  sm_send(0, "not json at all");
  run();
  std::vector<wire::cluster_block> replies;
  while (sm[0]->receive(&d, 1) == 1) {
    wire::cluster_block b;
    REQUIRE(wire::decode_cluster({d.data.data(), d.size}, b) == wire::decode_error::none);
    if (b.reqid != 0)
      replies.push_back(b);
  }
  REQUIRE(replies.size() == 1); // the malformed requests got no reply
  CHECK(replies[0].reqid == 4242);
  CHECK(replies[0].num_histories == 2);
  CHECK(replies[0].period_msec == 100);
}

TEST_CASE_FIXTURE(two_agents, "only the active agent emits set events; activate moves it") {
  advance(2s);
  auto victim = parse_ipv4(worker_addr(20));
  simnet.drop = [=](uint32_t from, uint32_t to, uint16_t) {
    return from == victim || to == victim;
  };
  advance(2s);
  auto e0 = events(0), e1 = events(1);
  CHECK(count(e0, "minor_set") == 1);
  CHECK(count(e0, "degrade_set") == 1);
  CHECK(count(e0, "loss") == 1);
  CHECK(count(e1, "minor_set") == 0);
  CHECK(count(e1, "degrade_set") == 0);
  CHECK(count(e1, "loss") == 0);
  auto h = ask<host_status>(ctrl[1], host_atom_v, std::string{"worker-20"});
  CHECK(h.networks[0].state == "lost"); // it still counted everything
  // activate controller-1 on controller-0: both agents follow. The epoch is the stamp's
  // generation (the wall clock's ms, here the simulated one) twice, plus its origin (0).
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now().time_since_epoch());
  CHECK(ask<std::string>(ctrl[0], activate_atom_v, std::string{"controller-1"})
        == fmt::format("controller-1 is active (epoch {}); controller-0 is inactive",
                       ms.count() * 2));
  run();
  CHECK(to_string(ask<agent_role>(ctrl[1], role_atom_v)) == "active");
  CHECK(to_string(ask<agent_role>(ctrl[0], role_atom_v)) == "inactive");
  simnet.drop = nullptr;
  advance(1500ms);
  auto victim2 = parse_ipv4(worker_addr(21));
  simnet.drop = [=](uint32_t from, uint32_t to, uint16_t) {
    return from == victim2 || to == victim2;
  };
  advance(2s);
  e0 = events(0), e1 = events(1);
  CHECK(count(e1, "loss") == 1);
  CHECK(count(e0, "loss") == 1); // still only the first one
}

TEST_CASE_FIXTURE(two_agents, "an inventory command given to one agent reaches both") {
  advance(500ms);
  CHECK(ask<std::string>(ctrl[1], stop_atom_v, std::string{"worker-3"}) == "worker-3 stopped");
  run();
  for (int me : {0, 1})
    CHECK_FALSE(ask<host_status>(ctrl[me], host_atom_v, std::string{"worker-3"}).started);
  CHECK(ask<std::string>(ctrl[0], del_atom_v, std::string{"worker-3"}) == "deleted worker-3");
  run();
  auto q = self->request(ctrl[1], caf::infinite, host_atom_v, std::string{"worker-3"});
  run();
  q.receive([](host_status&) { FAIL("worker-3 still known to controller-1"); },
            [](caf::error& e) { CHECK(e == ec::unknown_host); });
}

TEST_CASE_FIXTURE(two_agents, "concurrent activate commands converge on both agents") {
  advance(500ms);
  // Both commands are taken before either agent hears of the other's.
  self->request(ctrl[0], caf::infinite, activate_atom_v, std::string{"controller-0"});
  self->request(ctrl[1], caf::infinite, activate_atom_v, std::string{"controller-1"});
  run();
  auto r0 = to_string(ask<agent_role>(ctrl[0], role_atom_v));
  auto r1 = to_string(ask<agent_role>(ctrl[1], role_atom_v));
  CHECK(r0 != r1); // exactly one active
  CHECK(r1 == "active"); // same generation: the higher controller number decides
}

struct both_configured_active : two_agents {
  both_configured_active() : two_agents(test::cluster_options{28, true, {}}) {}
};

TEST_CASE_FIXTURE(both_configured_active, "two agents both configured active agree on one "
                                          "when their link comes up") {
  advance(200ms);
  CHECK(to_string(ask<agent_role>(ctrl[0], role_atom_v)) == "inactive");
  CHECK(to_string(ask<agent_role>(ctrl[1], role_atom_v)) == "active");
}

TEST_CASE_FIXTURE(two_agents, "the SM door drops requests beyond its rate, counted") {
  advance(1s);
  const std::string q = R"({"origin":"sm","service":"heartbeat","request":"cluster_info",)"
                        R"("reqid":"7"})";
  for (int i = 0; i < 500; ++i) // a flood within one instant: one second's worth passes
    sm_send(0, q);
  run();
  auto st = ask<agent_status>(ctrl[0], status_atom_v).sm;
  CHECK(st.num_queries == 200);
  CHECK(st.num_rejected.at(static_cast<size_t>(sm_error::rate_limited)) == 300);
  advance(1s); // the bucket refills
  sm_send(0, q);
  run();
  CHECK(ask<agent_status>(ctrl[0], status_atom_v).sm.num_queries == 201);
}

TEST_CASE_FIXTURE(two_agents, "SM requests the kernel dropped are counted at the SM door") {
  advance(1s);
  CHECK(ask<agent_status>(ctrl[0], status_atom_v).sm.num_kernel_drops == 0);
  sm_door[0]->kernel_drops = 7; // the receive queue overflowed: the kernel says how often
  CHECK(ask<agent_status>(ctrl[0], status_atom_v).sm.num_kernel_drops == 7);
}

TEST_CASE_FIXTURE(two_agents, "a replayed old response does not rewrite the peer's view") {
  advance(3s);
  // A response worker-0 really sent, carrying controller-1's view as 30:30 ... replayed
  // later from worker-0's address with an old sequence and a forged 30:0 view.
  wire::pulse rsp;
  rsp.set_name("worker-0");
  rsp.sequence = 1; // long past
  rsp.cluster.num_histories = 1;
  rsp.cluster.histories[0].controller = 1;
  for (int i = 0; i < 20; ++i)
    rsp.cluster.histories[0].append({30, 0});
  uint8_t buf[wire::max_pulse_size];
  auto n = wire::encode_pulse(wire::pulse_kind::response, rsp, {buf, sizeof buf});
  auto spoof = simnet.bind(worker_addr(0), 7777);
  outgoing o{parse_ipv4(test::c_addr[0]), 0, 2103, static_cast<uint16_t>(n), buf};
  for (int i = 0; i < 5; ++i) {
    spoof->send(&o, 1);
    advance(100ms);
  }
  CHECK(hist(vault(0), 1).responding.back() == 30);
  CHECK(ask<agent_status>(ctrl[0], status_atom_v).networks[0].num_stale >= 5);
}

TEST_CASE_FIXTURE(two_agents, "a host's miss reaches SM in the period that counted it, as "
                              "StarlingX pushes at the end of that period") {
  advance(3s);
  datagram d;
  while (sm[0]->receive(&d, 1) == 1) {
  } // the pushes so far
  advance(1s);
  int steady = 0;
  while (sm[0]->receive(&d, 1) == 1)
    ++steady;
  REQUIRE(steady == 0); // nothing changes: nothing is pushed
  auto t0 = now();
  auto victim = parse_ipv4(worker_addr(9));
  simnet.drop = [=](uint32_t from, uint32_t, uint16_t) { return from == victim; };
  // The first request after t0 goes unanswered, the next period counts miss 1, the one after
  // miss 2, the first change worth a push (reference §4.6): at most 300 ms after t0, plus the
  // few ms the host actors take to hand the vault their reasons.
  auto first = t0;
  for (int step = 0; step < 60 && first == t0; ++step) {
    advance(10ms);
    if (sm[0]->receive(&d, 1) == 1)
      first = now();
  }
  REQUIRE(first != t0);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(first - t0).count();
  MESSAGE("first push " << ms << " ms after the host went silent");
  CHECK(ms <= 310);
}
