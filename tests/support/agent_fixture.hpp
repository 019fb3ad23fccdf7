#pragma once
// One agent, 50 hosts running the real responder on a simulated network, simulated time.

#include <chrono>
#include <set>

#include <fmt/format.h>

#include "actors/controller.hpp"
#include "actors/responder.hpp"
#include "tests/support/responders.hpp"
#include "tests/support/caf_fixture.hpp"
#include "tests/support/sim_network.hpp"

namespace hbs::test {

using namespace std::chrono_literals;

constexpr int num_hosts = 50;
const auto period = 100ms;

inline std::string mgmt_addr(int i) { return fmt::format("127.0.1.{}", i + 1); }
inline std::string clstr_addr(int i) { return fmt::format("127.0.2.{}", i + 1); }
inline std::string host_name(int i) { return fmt::format("worker-{}", i); }

inline cfg::network_config net(uint8_t index, const std::string& addr) {
  cfg::network_config n;
  n.index = index;
  n.local_address = addr;
  n.mode = cfg::net_mode::unicast;
  n.client_port = index == 0 ? 2106 : 2116;
  n.agent_port = index == 0 ? 2103 : 2113;
  return n;
}

struct agent_fixture : caf_fixture {
  sim_network simnet;
  controller_actor ctrl;
  std::vector<std::unique_ptr<responder>> responders;
  caf::actor_clock::time_point start;
  // The agent's own receive sockets, for tests that play the kernel (drop counters).
  std::shared_ptr<sim_socket> mgmt_socket = simnet.bind("127.0.0.1", 2103);
  std::shared_ptr<sim_socket> clstr_socket = simnet.bind("127.0.0.2", 2113);

  // auth: pulse authentication for the agent and every responder (null: off).
  // rtt_stamps: round-trip stamps a second per network (network.hpp's budget).
  // hosts: workers in the inventory, each answering on both networks.
  explicit agent_fixture(std::shared_ptr<const wire::pulse_gate> auth = nullptr,
                         size_t rtt_stamps = rtt_stamp_budget,
                         int hosts = num_hosts) {
    // The network's pause between reads of a stream runs on its socket's timer, as in the
    // daemon (a test that unsets this takes the actor's clock instead).
    simnet.after = [this](std::chrono::milliseconds pause, std::function<void()> fn) {
      after(pause, std::move(fn));
    };
    cfg::agent_config c;
    c.controller = "controller-0";
    c.networks = {net(0, "127.0.0.1"), net(1, "127.0.0.2")};
    for (int i = 0; i < hosts; ++i)
      c.hosts.push_back({host_name(i), cfg::host_type::worker, mgmt_addr(i), clstr_addr(i), true});
    controller_setup s;
    s.config = c;
    s.sockets = {mgmt_socket, clstr_socket};
    s.pulse_auth = auth;
    s.rtt_stamps_per_s = rtt_stamps;
    s.wall_ms = sim_wall_ms();
    for (int i = 0; i < hosts; ++i)
      for (uint8_t n : {0, 1}) {
        auto addr = n == 0 ? mgmt_addr(i) : clstr_addr(i);
        auto nc = net(n, addr);
        responders.push_back(start_responder(responder_setup{nc, host_name(i), true,
                                             simnet.bind(addr, nc.client_port), auth}));
      }
    start = now();
    ctrl = sys.spawn(controller_fn, s);
    run();
  }

  ~agent_fixture() {
    caf::anon_send_exit(ctrl, caf::exit_reason::user_shutdown);
    run();
  }

  std::vector<event> events() { return ask<std::vector<event>>(ctrl, events_atom_v, 1000u); }

  // Events after `since` (actor clock) of the given kinds (default: liveness transitions).
  std::vector<event> transitions_since(caf::actor_clock::time_point since,
                                       std::set<std::string> kinds = {
                                         "minor_set", "minor_clear", "degrade_set",
                                         "degrade_clear", "loss", "recovered"}) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since.time_since_epoch());
    std::vector<event> out;
    for (auto& e : events())
      if (e.mono_ms > ms.count() && kinds.count(e.kind))
        out.push_back(e);
    return out;
  }

  std::vector<event> anything_since(caf::actor_clock::time_point since) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since.time_since_epoch());
    std::vector<event> out;
    for (auto& e : events())
      if (e.mono_ms > ms.count() && e.kind.rfind("heartbeat_", 0) != 0)
        out.push_back(e);
    return out;
  }

  int64_t ms_after(const event& e, caf::actor_clock::time_point t) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
    return e.mono_ms - ms.count();
  }
};

} // namespace hbs::test
