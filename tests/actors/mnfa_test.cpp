// MNFA with two agents and 40 monitored hosts each, in simulated time (issue 4 §5).
#include <doctest/doctest.h>

#include <set>

#include "tests/support/log_lines.hpp"
#include "tests/support/two_agents.hpp"

using namespace hbs;
using namespace std::chrono_literals;
using test::count;

namespace {

struct forty_hosts : test::two_agents {
  explicit forty_hosts(mnfa_config m = {}) : two_agents(test::cluster_options{38, false, m}) {}

  // Workers 0..n-1 stop answering on management (a switch fails under them).
  void silence(int n) {
    std::set<uint32_t> gone;
    for (int i = 0; i < n; ++i)
      gone.insert(parse_ipv4(test::worker_addr(i)));
    simnet.drop = [gone](uint32_t from, uint32_t to, uint16_t) {
      return gone.count(from) || gone.count(to);
    };
  }
  void heal() { simnet.drop = nullptr; }

  std::vector<event> since(int me, caf::actor_clock::time_point t) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
    std::vector<event> out;
    for (auto& e : events(me))
      if (e.mono_ms >= ms.count())
        out.push_back(e);
    return out;
  }

  uint32_t period(int me) { return ask<agent_status>(ctrl[me], status_atom_v).networks[0]
                                     .period_ms; }
  mnfa_view mnfa(int me) { return ask<mnfa_view>(ctrl[me], mnfa_atom_v); }

  // Advances in 100 ms steps until an event of `kind` shows on agent `me`; false on timeout.
  bool until(int me, const std::string& kind, caf::actor_clock::time_point t,
             caf::timespan limit) {
    for (caf::timespan waited{0}; waited < limit; waited += 100ms) {
      if (count(since(me, t), kind) > 0)
        return true;
      advance(100ms);
    }
    return false;
  }

  int64_t at(const std::vector<event>& es, const std::string& kind) {
    for (auto& e : es)
      if (e.kind == kind)
        return e.mono_ms;
    return -1;
  }
};

struct forty_hosts_timeout : forty_hosts {
  forty_hosts_timeout() : forty_hosts(mnfa_config{2, 0, 100}) {}
};

} // namespace

TEST_CASE_FIXTURE(forty_hosts, "a switch failure under 80 % of hosts enters MNFA before any "
                               "loss, fails no host, and recovers gracefully") {
  advance(2s);
  auto t0 = now();
  silence(32);
  REQUIRE(until(0, "mnfa_enter", t0, 2s));
  auto es = since(0, t0);
  CHECK(count(es, "loss") == 0); // entered at minor (4 misses), long before loss (10)
  CHECK(count(es, "minor_set") == 32);
  run();
  CHECK(period(0) == 400);
  CHECK(period(1) == 400); // the inactive agent follows the active one's decision
  auto m = mnfa(0);
  CHECK(m.state == "active");
  CHECK(m.pool.size() == 32);
  CHECK(m.tally.at(0) == 32);
  CHECK(mnfa(1).state == "active (following the active agent)");
  advance(6s); // long enough for every pooled host to reach its loss threshold
  es = since(0, t0);
  CHECK(count(es, "loss") == 32);
  CHECK(count(es, "failed") == 0);
  // Only the active agent decides; the inactive one records that it follows, not acted.
  for (auto& e : since(1, t0))
    if (e.kind == "mnfa_enter" || e.kind == "mnfa_exit")
      CHECK_FALSE(e.acted);
  CHECK(count(since(1, t0), "mnfa_enter") == 1);
  auto t1 = now();
  heal();
  REQUIRE(until(0, "mnfa_exit", t1, 8s));
  es = since(0, t1);
  CHECK(count(es, "graceful_recovery") == 32);
  CHECK(count(es, "failed") == 0);
  auto exit_ms = at(es, "mnfa_exit");
  // The period is restored 3 s after the exit, on both agents.
  auto now_ms = [&] { return std::chrono::duration_cast<std::chrono::milliseconds>(
                             now().time_since_epoch()).count(); };
  advance(std::chrono::milliseconds{exit_ms + 2900 - now_ms()});
  CHECK(period(0) == 400);
  advance(200ms);
  CHECK(period(0) == 100);
  CHECK(period(1) == 100);
  advance(2s);
  for (auto& h : ask<std::vector<host_status>>(ctrl[0], hosts_atom_v))
    if (h.started)
      CHECK(h.networks.at(0).state == "ok"); // nobody left degraded after the exit
  CHECK(ask<std::vector<alarm_view>>(ctrl[0], alarms_atom_v).empty());
  CHECK(mnfa(0).occurrences == 1);
  CHECK(mnfa(0).state == "idle");
}

TEST_CASE_FIXTURE(forty_hosts, "one host failing alone is lost and failed, without MNFA") {
  advance(2s);
  auto t0 = now();
  silence(1);
  advance(2s);
  auto es = since(0, t0);
  CHECK(count(es, "loss") == 1);
  CHECK(count(es, "failed") == 1);
  CHECK(count(es, "mnfa_enter") == 0);
  CHECK(period(0) == 100);
}

TEST_CASE_FIXTURE(forty_hosts_timeout, "with a 100 s timeout and hosts that never return MNFA "
                                       "is forced to exit at 100 s") {
  advance(2s);
  auto t0 = now();
  silence(32);
  REQUIRE(until(0, "mnfa_enter", t0, 2s));
  auto entered = at(since(0, t0), "mnfa_enter");
  CHECK(mnfa(0).timeout_left_ms > 99000);
  advance(101s);
  auto es = since(0, t0);
  REQUIRE(count(es, "mnfa_exit") == 1);
  CHECK(at(es, "mnfa_exit") - entered == 100000);
  CHECK(count(es, "full_recovery") == 32);
  CHECK(count(es, "failed") == 0);
  CHECK(period(0) == 400);
  advance(3500ms);
  CHECK(period(0) == 100); // restored 3 s after the forced exit
}

TEST_CASE_FIXTURE(forty_hosts, "MNFA entered again during recovery keeps the period backed "
                               "off and counts two occurrences") {
  advance(2s);
  auto t0 = now();
  silence(10);
  REQUIRE(until(0, "mnfa_enter", t0, 2s));
  auto t1 = now();
  heal();
  REQUIRE(until(0, "mnfa_exit", t1, 3s));
  CHECK(period(0) == 400);
  auto t2 = now();
  silence(10); // within the 3 s before the period would be restored
  REQUIRE(until(0, "mnfa_enter", t2, 3s));
  advance(3s);
  CHECK(period(0) == 400); // the pending restore belonged to the first episode
  CHECK(period(1) == 400);
  auto t3 = now();
  heal();
  REQUIRE(until(0, "mnfa_exit", t3, 8s));
  advance(3500ms);
  CHECK(period(0) == 100);
  CHECK(mnfa(0).occurrences == 2);
  CHECK(count(since(0, t0), "failed") == 0);
}

TEST_CASE_FIXTURE(forty_hosts, "every failure action change during MNFA") {
  advance(2s);
  auto t0 = now();
  silence(32);
  REQUIRE(until(0, "mnfa_enter", t0, 2s));
  // fail -> degrade: MNFA goes on; statistics restart, so the pool is rebuilt at minor.
  CHECK(ask<std::string>(ctrl[0], action_atom_v, cfg::failure_action::degrade)
        == "failure action degrade (was fail)");
  advance(3s);
  CHECK(mnfa(0).state == "active");
  CHECK(mnfa(1).action == "degrade"); // replicated
  // degrade -> alarm: MNFA is cancelled and the period restored at once.
  auto t1 = now();
  ask<std::string>(ctrl[0], action_atom_v, cfg::failure_action::alarm);
  advance(500ms);
  CHECK(count(since(0, t1), "mnfa_cancel") == 1);
  CHECK(period(0) == 100);
  CHECK(period(1) == 100);
  advance(3s);
  CHECK(count(since(0, t1), "mnfa_enter") == 0); // alarm: the tally stays empty
  CHECK(count(since(0, t1), "failed") == 0);
  CHECK_FALSE(ask<std::vector<alarm_view>>(ctrl[0], alarms_atom_v).empty()); // still alarms
  // alarm -> none: heartbeating stops entirely.
  ask<std::string>(ctrl[0], action_atom_v, cfg::failure_action::none);
  advance(200ms);
  auto sent = ask<agent_status>(ctrl[0], status_atom_v).networks[0].num_requests;
  advance(1s);
  CHECK(ask<agent_status>(ctrl[0], status_atom_v).networks[0].num_requests == sent);
  CHECK(ask<std::vector<alarm_view>>(ctrl[0], alarms_atom_v).empty()); // bulk-cleared
  // none -> fail: heartbeating resumes, the hosts are still gone: MNFA again, no failure.
  auto t2 = now();
  ask<std::string>(ctrl[0], action_atom_v, cfg::failure_action::fail);
  REQUIRE(until(0, "mnfa_enter", t2, 2s));
  advance(5s);
  CHECK(count(since(0, t2), "failed") == 0);
  // fail -> none during MNFA: cancelled too.
  auto t3 = now();
  ask<std::string>(ctrl[0], action_atom_v, cfg::failure_action::none);
  advance(200ms);
  CHECK(count(since(0, t3), "mnfa_cancel") == 1);
  CHECK(count(since(0, t0), "customer_log") == 5);
}

TEST_CASE_FIXTURE(forty_hosts, "after a swact controller-1 decides MNFA") {
  advance(1s);
  ask<std::string>(ctrl[0], activate_atom_v, std::string{"controller-1"});
  advance(1s);
  auto t0 = now();
  silence(32);
  REQUIRE(until(1, "mnfa_enter", t0, 2s));
  for (auto& e : since(0, t0)) // controller-0 follows: its events are not acted
    if (e.kind == "mnfa_enter")
      CHECK_FALSE(e.acted);
  run();
  CHECK(period(0) == 400);
  auto t1 = now();
  heal();
  REQUIRE(until(1, "mnfa_exit", t1, 8s));
  advance(3500ms);
  CHECK(period(0) == 100);
  CHECK(period(1) == 100);
  CHECK(count(since(1, t0), "failed") == 0);
}

TEST_CASE_FIXTURE(forty_hosts, "a swact in the middle of an MNFA episode hands it over") {
  advance(2s);
  auto t0 = now();
  silence(32);
  REQUIRE(until(0, "mnfa_enter", t0, 2s));
  advance(1s);
  ask<std::string>(ctrl[0], activate_atom_v, std::string{"controller-1"});
  advance(3s); // losses happen under the new active agent: still not failures
  CHECK(mnfa(1).deciding);
  CHECK(mnfa(1).state == "active");
  CHECK(count(since(1, t0), "failed") == 0);
  auto t1 = now();
  heal();
  REQUIRE(until(1, "mnfa_exit", t1, 8s));
  advance(3500ms);
  CHECK(period(0) == 100);
  CHECK(period(1) == 100);
  CHECK(count(since(0, t0), "failed") == 0);
  CHECK(count(since(1, t0), "failed") == 0);
  CHECK(ask<std::vector<alarm_view>>(ctrl[1], alarms_atom_v).empty());
}

TEST_CASE_FIXTURE(forty_hosts, "a host still dead when MNFA exits gracefully is failed then, "
                               "not left lost forever") {
  advance(2s);
  auto t0 = now();
  silence(10);
  REQUIRE(until(0, "mnfa_enter", t0, 2s));
  advance(4s); // all ten lost (suppressed)
  REQUIRE(count(since(0, t0), "loss") == 10);
  auto dead = parse_ipv4(test::worker_addr(0));
  simnet.drop = [dead](uint32_t from, uint32_t to, uint16_t) { return from == dead || to == dead; };
  auto t1 = now();
  REQUIRE(until(0, "mnfa_exit", t1, 8s));
  advance(1s);
  auto es = since(0, t1);
  REQUIRE(count(es, "failed") == 1);
  for (auto& e : es)
    if (e.kind == "failed")
      CHECK(e.host == "worker-0");
  CHECK(count(since(0, t0), "failed") == 1);
}

TEST_CASE_FIXTURE(forty_hosts, "a switch failure that also cuts the agents apart backs both "
                               "off, and both restore when the hosts return") {
  advance(2s);
  cut_link(); // the management switch carries the peer link too (no second path here)
  auto t0 = now();
  silence(32);
  REQUIRE(until(0, "mnfa_enter", t0, 2s));
  REQUIRE(until(1, "mnfa_enter", t0, 2s)); // its own tally: no decision can arrive
  run();
  CHECK(period(0) == 400);
  CHECK(period(1) == 400);
  CHECK(mnfa(1).state == "active (own tally)");
  advance(5s);
  CHECK(count(since(1, t0), "failed") == 0);
  CHECK(count(since(0, t0), "failed") == 0);
  auto t1 = now();
  heal(); // lost hosts need ten answers at 400 ms to recover, then the 3 s restore
  REQUIRE(until(1, "mnfa_exit", t1, 8s));
  advance(3500ms);
  CHECK(period(0) == 100);
  CHECK(period(1) == 100);
  CHECK(mnfa(1).state == "idle");
  heal_link();
  advance(1s);
  CHECK(period(1) == 100);
}

TEST_CASE_FIXTURE(forty_hosts, "the active agent dying during MNFA and returning after the "
                               "hosts did leaves no agent backed off") {
  advance(2s);
  auto t0 = now();
  silence(32);
  REQUIRE(until(0, "mnfa_enter", t0, 2s));
  run();
  REQUIRE(period(1) == 400); // following controller-0
  kill_agent(0);
  advance(1s);
  heal(); // the hosts come back while controller-0 is gone
  advance(5s); // controller-1's own tally clears: it ends the episode itself
  CHECK(period(1) == 100);
  CHECK(mnfa(1).state == "idle");
  spawn_agent(0);
  run();
  heal_link();
  advance(3s);
  CHECK(period(0) == 100);
  CHECK(period(1) == 100);
  CHECK(mnfa(0).state == "idle");
  CHECK(mnfa(1).state == "idle");
  CHECK(to_string(ask<agent_role>(ctrl[0], role_atom_v)) == "active");
}

TEST_CASE_FIXTURE(forty_hosts, "a demoted agent hands its episode over and shows MNFA idle "
                               "after the heal") {
  advance(2s);
  auto t0 = now();
  silence(32);
  REQUIRE(until(0, "mnfa_enter", t0, 2s));
  advance(500ms);
  ask<std::string>(ctrl[1], activate_atom_v, std::string{"controller-1"});
  advance(1s);
  CHECK(mnfa(1).state == "active");
  CHECK(mnfa(0).state == "active (following the active agent)");
  heal();
  REQUIRE(until(1, "mnfa_exit", t0, 10s));
  advance(4s);
  CHECK(mnfa(0).state == "idle");
  CHECK(mnfa(1).state == "idle");
  CHECK(period(0) == 100);
  CHECK(period(1) == 100);
}

TEST_CASE_FIXTURE(forty_hosts, "the inactive agent logs an MNFA episode as the active one does, "
                               "saying why it follows") {
  test::log_lines logs;
  advance(2s);
  auto t0 = now();
  silence(32);
  REQUIRE(until(0, "mnfa_enter", t0, 2s));
  run();
  CHECK(logs.count("MNFA ENTER: management tally", "(inactive") == 1);
  CHECK(logs.count("MNFA ENTER: management tally") == 2);
  CHECK(logs.count("MNFA ENTER: management tally 2 >= 2; MNFA POOL: worker-0 worker-1 "
                   "(inactive: ") == 1); // its own tally, or following the active agent
  advance(6s); // every pooled host reaches its loss threshold
  CHECK(logs.count("lost during MNFA: not failed", "(inactive") == 32);
  CHECK(logs.count("lost during MNFA: not failed (inactive: not acted on)") == 32);
  auto t1 = now();
  heal();
  REQUIRE(until(0, "mnfa_exit", t1, 8s));
  advance(1s);
  CHECK(logs.count("MNFA EXIT: tally below the threshold", "(inactive") == 1);
  CHECK(logs.count("MNFA EXIT: tally below the threshold (inactive: ") == 1);
}
