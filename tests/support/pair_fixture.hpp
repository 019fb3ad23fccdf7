#pragma once
// Both agents of test::two_agents, designated controller-0 active, with what the controller's
// tests ask of them: roles, events, the control state, and a store held back (a slow disk).

#include "actors/store.hpp"
#include "tests/support/two_agents.hpp"

namespace hbs::test {

using namespace std::chrono_literals;

struct pair_fixture : two_agents {
  pair_fixture() : two_agents(cluster_options{28, false, {}, 3000}) {}

  bool active(int me) { return role(me) == "active"; }
  int num_active() { return active(0) + active(1); }

  // Advances in steps, checking after each that at most one agent is active.
  void advance_one_active(caf::timespan total, caf::timespan step = 100ms) {
    for (caf::timespan t{0}; t < total; t += step) {
      advance(step);
      REQUIRE(num_active() <= 1);
    }
  }

  void kill_host(int worker) {
    auto a = parse_ipv4(worker_addr(worker));
    auto prev = simnet.drop;
    simnet.drop = [=](uint32_t from, uint32_t to, uint16_t p) {
      return from == a || to == a || (prev && prev(from, to, p));
    };
  }

  size_t lines(int me, const std::string& kind, const std::string& host = "") {
    size_t n = 0;
    for (auto& l : event_lines(me))
      n += l.find("\"kind\":\"" + kind + "\"") != std::string::npos
           && (host.empty() || l.find("\"host\":\"" + host + "\"") != std::string::npos);
    return n;
  }

  control_state& control(int me) { return *state_of<controller_state>(ctrl[me]).control; }

  // Runs everything but agent `me`'s store, for `total` of simulated time (none: what is
  // due now): its disk is slow, or the agent dies before the write lands.
  void run_but_store(int me, caf::timespan total = caf::timespan{0}) {
    auto* store = dynamic_cast<caf::resumable*>(caf::actor_cast<caf::abstract_actor*>(
      state_of<controller_state>(ctrl[me]).store));
    auto others = [&](caf::resumable* job) { return job != store; };
    sched.run_jobs_filtered(others);
    for (caf::timespan t{0}; t < total; t += 10ms) {
      sched.advance_time(10ms);
      sched.run_jobs_filtered(others);
    }
  }
  bool is_active(int me) { return state_of<controller_state>(ctrl[me]).active; }
};


} // namespace hbs::test
