// One agent, 50 hosts running the real responder on a simulated network, simulated time.
#include <doctest/doctest.h>

#include <map>
#include <set>

#include "actors/state_tally.hpp"
#include "tests/support/agent_fixture.hpp"

using namespace hbs;
using namespace hbs::test;
using namespace std::chrono_literals;

TEST_CASE_FIXTURE(agent_fixture, "fifty healthy hosts produce no transition in ten seconds") {
  auto wall = std::chrono::steady_clock::now();
  advance(10s);
  auto wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - wall).count();
  MESSAGE("10 simulated seconds, 50 hosts x 2 networks: " << wall_ms << " ms of wall time");
  CHECK(now() - start >= 10s);
  CHECK(anything_since(start).empty());
  auto st = ask<agent_status>(ctrl, status_atom_v);
  REQUIRE(st.networks.size() == 2);
  for (auto& n : st.networks) {
    CHECK(n.expected == num_hosts);
    CHECK(n.responding == num_hosts);
    CHECK(n.sequence >= 99);
    CHECK(n.num_counted >= 99u * num_hosts);
    CHECK(n.num_stale == 0);
    CHECK(n.num_unknown_source == 0);
  }
  auto starts = events();
  CHECK(std::count_if(starts.begin(), starts.end(),
                      [](auto& e) { return e.kind == "heartbeat_start"; }) == 2 * num_hosts);
}

TEST_CASE_FIXTURE(agent_fixture, "a host silent on management only goes minor at 4, degraded "
                                 "at 6, lost at 10 and recovers after ten responses") {
  advance(1s);
  const uint32_t victim = parse_ipv4(mgmt_addr(7));
  // The last answered request went out at `answered`; the next period is the first missed.
  auto answered = now();
  simnet.drop = [=](uint32_t from, uint32_t to, uint16_t) {
    return from == victim || to == victim;
  };
  advance(1500ms);
  auto evs = transitions_since(answered);
  REQUIRE(evs.size() == 3);
  // Miss n is recorded when period n closes: `answered` + (n + 1) periods.
  CHECK(evs[0].kind == "minor_set");
  CHECK(ms_after(evs[0], answered) == 500);
  CHECK(evs[0].b2b == 4);
  CHECK(evs[1].kind == "degrade_set");
  CHECK(ms_after(evs[1], answered) == 700);
  CHECK(evs[2].kind == "loss");
  CHECK(ms_after(evs[2], answered) == 1100);
  CHECK(evs[2].b2b == 10);
  for (auto& e : evs) {
    CHECK(e.host == "worker-7");
    CHECK(e.network == "management");
  }
  // The active agent alarms (MAJOR at degrade, CRITICAL at loss) and fails the host.
  auto acts = transitions_since(answered, {"alarm_raise", "failed"});
  REQUIRE(acts.size() == 3);
  CHECK(acts[0].kind == "alarm_raise");
  CHECK(acts[0].detail.rfind("200.005 major", 0) == 0);
  CHECK(ms_after(acts[0], answered) == 700);
  CHECK(acts[1].detail.rfind("200.005 critical", 0) == 0);
  CHECK(acts[2].kind == "failed");
  CHECK(ms_after(acts[2], answered) == 1100);
  auto alarms = ask<std::vector<alarm_view>>(ctrl, alarms_atom_v);
  REQUIRE(alarms.size() == 1);
  CHECK(alarms[0].severity == "critical");
  auto h = ask<host_status>(ctrl, host_atom_v, std::string{"worker-7"});
  REQUIRE(h.networks.size() == 2);
  CHECK(h.networks[0].state == "lost");
  CHECK(h.networks[0].b2b == 14); // miss 14 closed at answered + 1500 ms
  CHECK(h.networks[1].state == "ok"); // cluster-host independent
  CHECK(h.networks[1].b2b == 0);

  simnet.drop = nullptr;
  auto back = now();
  advance(2s);
  auto rec = transitions_since(back);
  REQUIRE(rec.size() == 3);
  CHECK(rec[0].kind == "recovered");
  // Answers to the requests at back+100ms .. back+1000ms: the tenth arrives at back+1000ms.
  CHECK(ms_after(rec[0], back) == 1000);
  CHECK(rec[1].kind == "degrade_clear");
  CHECK(rec[2].kind == "minor_clear");
  CHECK(transitions_since(back, {"alarm_clear"}).size() == 1);
  CHECK(ask<std::vector<alarm_view>>(ctrl, alarms_atom_v).empty());
  h = ask<host_status>(ctrl, host_atom_v, std::string{"worker-7"});
  CHECK(h.networks[0].state == "ok");
  CHECK(h.networks[0].max_b2b == 15); // the request sent at `back` was still lost
  CHECK(h.networks[0].num_misses == 15);
}

TEST_CASE_FIXTURE(agent_fixture, "a host that misses three periods raises nothing") {
  advance(1s);
  const uint32_t victim = parse_ipv4(mgmt_addr(3));
  auto t0 = now();
  simnet.drop = [=](uint32_t from, uint32_t, uint16_t) { return from == victim; };
  advance(300ms);
  simnet.drop = nullptr;
  advance(1s);
  CHECK(anything_since(t0).empty());
  auto h = ask<host_status>(ctrl, host_atom_v, std::string{"worker-3"});
  CHECK(h.networks[0].max_b2b == 3);
  CHECK(h.networks[0].state == "ok");
}

TEST_CASE_FIXTURE(agent_fixture, "hosts stopped, deleted and added at run time") {
  advance(500ms);
  CHECK(ask<std::string>(ctrl, stop_atom_v, std::string{"worker-1"}) == "worker-1 stopped");
  auto t0 = now();
  simnet.drop = [=](uint32_t from, uint32_t, uint16_t) { return from == parse_ipv4(mgmt_addr(1)); };
  advance(2s);
  CHECK(transitions_since(t0).empty()); // a stopped host is not expected
  CHECK(ask<std::string>(ctrl, del_atom_v, std::string{"worker-2"}) == "deleted worker-2");
  auto q = self->request(ctrl, caf::infinite, host_atom_v, std::string{"worker-2"});
  run();
  q.receive([](host_status&) { FAIL("deleted host still answered"); },
                [&](caf::error& e) { CHECK(e == ec::unknown_host); });
  CHECK(ask<std::string>(ctrl, add_atom_v, std::string{"worker-2"}, cfg::host_type::worker,
                         mgmt_addr(2), std::string{}) == "added worker-2");
  auto dup = self->request(ctrl, caf::infinite, add_atom_v, std::string{"worker-3"},
                           cfg::host_type::worker, std::string{"127.0.9.9"}, std::string{});
  run();
  dup.receive([](std::string&) { FAIL("duplicate name accepted"); },
                [&](caf::error& e) { CHECK(e == ec::duplicate_host); });
  CHECK(ask<std::string>(ctrl, start_atom_v, std::string{"worker-2"}) == "worker-2 started");
  advance(1s);
  auto h = ask<host_status>(ctrl, host_atom_v, std::string{"worker-2"});
  REQUIRE(h.networks.size() == 1); // added without a cluster-host address
  CHECK(h.networks[0].num_pulses >= 9);
  CHECK(h.networks[0].state == "ok");
}

TEST_CASE_FIXTURE(agent_fixture, "the host moved into a deleted host's place keeps its name, "
                                 "actor and counts") {
  // A network keeps hosts in an array: the last one fills a deleted host's index. Which host
  // that is depends on the order of the watches, so every host is checked.
  advance(1s);
  std::map<std::string, uint64_t> before;
  for (auto& h : ask<std::vector<host_status>>(ctrl, hosts_atom_v))
    before[h.name] = h.networks.at(0).num_pulses;
  CHECK(ask<std::string>(ctrl, del_atom_v, std::string{"worker-5"}) == "deleted worker-5");
  before.erase("worker-5");
  advance(500ms);
  auto hosts = ask<std::vector<host_status>>(ctrl, hosts_atom_v);
  REQUIRE(hosts.size() == before.size());
  for (auto& h : hosts) {
    INFO(h.name);
    CHECK(h.networks.at(0).num_pulses >= before.at(h.name) + 4);
    CHECK(h.networks.at(0).link.loss_1m_pct == doctest::Approx(0.0));
  }
  auto t0 = now();
  // Every answer on management lost for five periods: minor (four misses), not degrade.
  simnet.drop = [=](uint32_t, uint32_t, uint16_t port) { return port == 2103; };
  advance(500ms);
  simnet.drop = nullptr;
  std::set<std::string> minor;
  for (auto& e : transitions_since(t0, {"minor_set"}))
    if (e.network == "management")
      minor.insert(e.host);
  CHECK(minor.size() == before.size());
  for (auto& [name, n] : before)
    CHECK(minor.count(name) == 1);
}

TEST_CASE_FIXTURE(agent_fixture, "stale, duplicate, unknown and malformed responses are "
                                 "counted and dropped") {
  advance(500ms);
  auto rogue = simnet.bind("127.0.7.7", 5555);
  uint8_t junk[20] = {'c', 'g', 't', 's'};
  outgoing o{parse_ipv4("127.0.0.1"), 0, 2103, sizeof junk, junk};
  rogue->send(&o, 1);
  auto mgmt = [&](const agent_status& st) {
    return st.networks[0].network == 0 ? st.networks[0] : st.networks[1];
  };
  auto seq = mgmt(ask<agent_status>(ctrl, status_atom_v)).sequence;
  // A well-formed response to the current request from an address not in inventory.
  wire::pulse p;
  p.set_name("worker-0");
  p.sequence = seq;
  uint8_t buf[wire::max_pulse_size];
  auto n = wire::encode_pulse(wire::pulse_kind::response, p, {buf, sizeof buf});
  outgoing good{parse_ipv4("127.0.0.1"), 0, 2103, static_cast<uint16_t>(n), buf};
  rogue->send(&good, 1);
  // From a real host's address: worker-0 already answered this period, then an old sequence.
  auto spoof = simnet.bind(mgmt_addr(0), 6666);
  spoof->send(&good, 1);
  spoof->send(&good, 1);
  p.sequence = seq - 3;
  n = wire::encode_pulse(wire::pulse_kind::response, p, {buf, sizeof buf});
  spoof->send(&good, 1);
  // Another controller's response reaching this one.
  p.flags = 1u << wire::controller_shift;
  p.sequence = seq;
  n = wire::encode_pulse(wire::pulse_kind::response, p, {buf, sizeof buf});
  spoof->send(&good, 1);
  advance(stream_pause, 1ms); // after a burst of answers the network reads again later
  auto m = mgmt(ask<agent_status>(ctrl, status_atom_v));
  CHECK(m.num_malformed[static_cast<size_t>(wire::decode_error::bad_header)] == 1);
  CHECK(m.num_unknown_source == 1);
  CHECK(m.num_duplicates == 2);
  CHECK(m.num_stale == 1);
  CHECK(m.num_wrong_controller == 1);
  CHECK(transitions_since(start).empty());
}

TEST_CASE_FIXTURE(agent_fixture, "a host lost on both networks is failed once") {
  advance(1s);
  auto t0 = now();
  const uint32_t m = parse_ipv4(mgmt_addr(9)), c = parse_ipv4(clstr_addr(9));
  simnet.drop = [=](uint32_t from, uint32_t to, uint16_t) {
    return from == m || to == m || from == c || to == c;
  };
  advance(2s);
  CHECK(transitions_since(t0, {"loss"}).size() == 2);
  CHECK(transitions_since(t0, {"failed"}).size() == 1);
  CHECK(ask<std::vector<alarm_view>>(ctrl, alarms_atom_v).size() == 2); // 200.005 and 200.009
}

TEST_CASE_FIXTURE(agent_fixture, "a host whose process monitor goes silent raises 200.006 "
                                 "and clears it when it is back") {
  advance(1s);
  // worker-4's responders (management, cluster-host) stop reporting the process monitor.
  responders[8]->set_pmond_alive(false);
  responders[9]->set_pmond_alive(false);
  advance(4s); // 100 responses over two networks: 50 periods
  CHECK(ask<std::vector<alarm_view>>(ctrl, alarms_atom_v).empty());
  advance(1500ms);
  auto alarms = ask<std::vector<alarm_view>>(ctrl, alarms_atom_v);
  REQUIRE(alarms.size() == 1);
  CHECK(alarms[0].id == "200.006");
  CHECK(alarms[0].host == "worker-4");
  CHECK(transitions_since(start, {"pmond_raise"}).size() == 1);
  responders[8]->set_pmond_alive(true);
  responders[9]->set_pmond_alive(true);
  advance(200ms);
  CHECK(ask<std::vector<alarm_view>>(ctrl, alarms_atom_v).empty());
  CHECK(transitions_since(start, {"pmond_clear"}).size() == 1);
}

TEST_CASE_FIXTURE(agent_fixture, "a process-monitor check scheduled by an earlier absence does "
                                 "not raise a newer one early") {
  advance(1s);
  auto flip = [&](bool alive) {
    responders[8]->set_pmond_alive(alive);
    responders[9]->set_pmond_alive(alive);
  };
  flip(false);
  advance(1s);
  flip(true);
  advance(1s);
  flip(false); // absent again since here: 5 s (100 responses over two networks) from now
  advance(3500ms); // the first absence's check has fired meanwhile
  CHECK(ask<std::vector<alarm_view>>(ctrl, alarms_atom_v).empty());
  advance(2s);
  auto alarms = ask<std::vector<alarm_view>>(ctrl, alarms_atom_v);
  REQUIRE(alarms.size() == 1);
  CHECK(alarms[0].id == "200.006");
}

TEST_CASE_FIXTURE(agent_fixture, "the process-monitor window follows the period: backed off "
                                 "x4 it is 100 responses at 400 ms") {
  advance(1s);
  CHECK(ask<std::string>(ctrl, backoff_atom_v, true)
        == "period 400 ms (backed off x4; configured 100 ms)");
  advance(1s); // verdicts now stamped 400 ms
  responders[8]->set_pmond_alive(false);
  responders[9]->set_pmond_alive(false);
  advance(6s); // the 100 ms window (5 s) has passed: too early at 400 ms (20 s)
  CHECK(ask<std::vector<alarm_view>>(ctrl, alarms_atom_v).empty());
  advance(13s);
  CHECK(ask<std::vector<alarm_view>>(ctrl, alarms_atom_v).empty());
  advance(2s);
  auto alarms = ask<std::vector<alarm_view>>(ctrl, alarms_atom_v);
  REQUIRE(alarms.size() == 1);
  CHECK(alarms[0].id == "200.006");
}

TEST_CASE_FIXTURE(agent_fixture, "a SIGHUP period change reaches the hosts' windows") {
  advance(1s);
  CHECK(ask<std::string>(ctrl, tune_atom_v, tuning{200, 0, 0, 0})
        == "period 100 -> 200 ms, thresholds 4/6/10 -> 4/6/10");
  advance(1s);
  responders[8]->set_pmond_alive(false);
  responders[9]->set_pmond_alive(false);
  advance(9s); // 100 responses over two networks at 200 ms: 10 s
  CHECK(ask<std::vector<alarm_view>>(ctrl, alarms_atom_v).empty());
  advance(2s);
  CHECK(ask<std::vector<alarm_view>>(ctrl, alarms_atom_v).size() == 1);
}

TEST_CASE_FIXTURE(agent_fixture, "tuning that the file would refuse, or that states nothing, "
                                 "is refused at run time") {
  // All zero states no value: taken, it would restate every value in force over the peer's.
  for (auto t : {tuning{0, 0, 0, 0}, tuning{50, 0, 0, 0}, tuning{0, 0, 12, 0},
                 tuning{0, 7, 6, 10}, tuning{0, 0, 0, 100000}}) {
    auto r = self->request(ctrl, caf::infinite, tune_atom_v, t);
    run();
    r.receive([&](std::string& s) { FAIL("accepted: " << s); },
              [&](caf::error& e) { CHECK(e == ec::bad_argument); });
  }
  CHECK(ask<agent_status>(ctrl, status_atom_v).period_ms == 100);
}

namespace {

struct large_agent : agent_fixture {
  large_agent()
    : agent_fixture(nullptr, rtt_stamp_budget, static_cast<int>(3 * hosts_in_flight)) {}
};

} // namespace

TEST_CASE_FIXTURE(large_agent, "a host query asks the hosts a window at a time, so the "
                               "networks' messages are not queued behind thousands") {
  advance(1s);
  REQUIRE(sched.jobs.empty());
  auto pending = self->request(ctrl, caf::infinite, hosts_atom_v);
  sched.run_once(); // the controller takes the query and asks the first hosts
  CHECK(sched.jobs.size() >= hosts_in_flight / 2);
  CHECK(sched.jobs.size() <= hosts_in_flight + 2); // and the two networks for their rows
  run();
  std::vector<host_status> hosts;
  pending.receive([&](std::vector<host_status>& x) { hosts = std::move(x); },
                  [&](caf::error& e) { FAIL("request failed: " << sys.render(e)); });
  REQUIRE(hosts.size() == 3 * hosts_in_flight);
  std::set<std::string> names;
  for (auto& h : hosts) {
    names.insert(h.name);
    REQUIRE(h.networks.size() == 2);
    CHECK(h.networks[0].state == "ok");
  }
  CHECK(names.size() == hosts.size()); // every host answered, none left empty
  CHECK(names.count(host_name(3 * hosts_in_flight - 1)) == 1);
}

TEST_CASE_FIXTURE(large_agent, "a status query counts the hosts by state without asking them") {
  advance(1s);
  REQUIRE(sched.jobs.empty());
  auto pending = self->request(ctrl, caf::infinite, status_atom_v);
  sched.run_once();
  CHECK(sched.jobs.size() <= 8); // the networks, gateways and files: no host actor
  run();
  agent_status st;
  pending.receive([&](agent_status& x) { st = std::move(x); },
                  [&](caf::error& e) { FAIL("request failed: " << sys.render(e)); });
  REQUIRE(st.networks.size() == 2);
  for (auto& n : st.networks)
    CHECK(n.hosts_by_state == std::vector<uint32_t>{3 * hosts_in_flight, 0, 0, 0});
}

namespace {

// Monitored hosts by state per network as the host query shows them, one by one.
std::vector<std::vector<uint32_t>> counted_one_by_one(const std::vector<host_status>& hs) {
  std::vector<std::vector<uint32_t>> out(2, std::vector<uint32_t>(4, 0));
  for (auto& h : hs)
    for (auto& n : h.networks) {
      if (!n.monitored)
        continue;
      size_t h = 0;
      while (h < num_health_states && n.state != to_string(static_cast<host_health>(h)))
        ++h;
      REQUIRE_MESSAGE(h < num_health_states, n.state);
      ++out.at(n.network)[h];
    }
  return out;
}

std::vector<std::vector<uint32_t>> counted_by_status(const agent_status& st) {
  std::vector<std::vector<uint32_t>> out;
  for (auto& n : st.networks)
    out.push_back(n.hosts_by_state);
  return out;
}

} // namespace

TEST_CASE_FIXTURE(agent_fixture, "hosts are counted by state as they change, stop and leave, "
                                 "as each host itself says") {
  advance(1s);
  auto agree = [&] {
    auto by_status = counted_by_status(ask<agent_status>(ctrl, status_atom_v));
    CHECK(by_status == counted_one_by_one(ask<std::vector<host_status>>(ctrl, hosts_atom_v)));
    return by_status;
  };
  using counts = std::vector<std::vector<uint32_t>>;
  const uint32_t all = num_hosts;
  CHECK(agree() == counts{{all, 0, 0, 0}, {all, 0, 0, 0}});
  const uint32_t victim = parse_ipv4(mgmt_addr(7));
  simnet.drop = [=](uint32_t from, uint32_t to, uint16_t) {
    return from == victim || to == victim;
  };
  advance(600ms); // minor at the fourth miss
  CHECK(agree() == counts{{all - 1, 1, 0, 0}, {all, 0, 0, 0}});
  advance(200ms); // degraded at the sixth
  CHECK(agree() == counts{{all - 1, 0, 1, 0}, {all, 0, 0, 0}});
  advance(800ms); // lost at the tenth
  CHECK(agree() == counts{{all - 1, 0, 0, 1}, {all, 0, 0, 0}});
  CHECK(ask<std::string>(ctrl, stop_atom_v, std::string{"worker-1"}) == "worker-1 stopped");
  run();
  CHECK(agree() == counts{{all - 2, 0, 0, 1}, {all - 1, 0, 0, 0}});
  CHECK(ask<std::string>(ctrl, del_atom_v, std::string{"worker-7"}) == "deleted worker-7");
  run();
  CHECK(agree() == counts{{all - 2, 0, 0, 0}, {all - 2, 0, 0, 0}});
  simnet.drop = nullptr;
  advance(1s); // nothing the deleted host's actor still had in flight counts
  CHECK(agree() == counts{{all - 2, 0, 0, 0}, {all - 2, 0, 0, 0}});
}
