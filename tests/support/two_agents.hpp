#pragma once
// Two agents (controller-0 designated active, controller-1 inactive) and their hosts on a
// simulated network in one actor system: every controller, storage-0 and N workers answer
// with the real responder. Tests cut paths with `simnet.drop` or the `cut_from_c1` list,
// cut and heal the peer link (`cut_link`, `heal_link`) and restart an agent (`restart`):
// each agent keeps its control state, alarms and events in a directory of its own.

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "actors/controller.hpp"
#include "actors/peer_gateway.hpp"
#include "actors/responder.hpp"
#include "tests/support/responders.hpp"
#include "runtime/atomic_file.hpp"
#include "tests/support/caf_fixture.hpp"
#include "tests/support/sim_network.hpp"

namespace hbs::test {

struct cluster_options {
  int workers = 28; // + storage-0 + the other controller = 30 monitored per agent
  bool both_active = false;
  mnfa_config mnfa{};
  uint32_t hold_off_ms = 3000;
};


inline const std::string c_addr[2] = {"127.0.0.1", "127.0.0.2"};

inline std::string worker_addr(int i) {
  return fmt::format("127.0.{}.{}", 1 + i / 200, i % 200 + 1);
}

inline cfg::network_config mgmt(const std::string& addr) {
  cfg::network_config n;
  n.local_address = addr;
  n.mode = cfg::net_mode::unicast;
  return n;
}

struct two_agents : test::caf_fixture {
  test::sim_network simnet;
  controller_actor ctrl[2];
  peer_gateway_actor gateway[2];
  std::string dir[2];
  std::vector<std::unique_ptr<responder>> responders;
  std::shared_ptr<test::sim_socket> sm[2]; // plays each controller's service manager
  std::shared_ptr<test::sim_socket> sm_door[2]; // each agent's SM server socket
  std::vector<uint32_t> cut_from_c1;       // hosts controller-1 cannot reach

  cluster_options opt;

  cfg::agent_config config(int me) {
    cfg::agent_config c;
    c.controller = fmt::format("controller-{}", me);
    c.active = me == 0 || opt.both_active;
    c.mnfa_threshold = opt.mnfa.threshold;
    c.mnfa_threshold_percent = opt.mnfa.threshold_percent;
    c.mnfa_timeout_s = opt.mnfa.timeout_s;
    c.networks = {mgmt(c_addr[me])};
    c.sm.address = c_addr[me];
    c.peer.address = c_addr[1 - me]; // the hold-off applies; the link is made by handles
    c.peer.hold_off_ms = opt.hold_off_ms;
    c.hosts.push_back({fmt::format("controller-{}", 1 - me), cfg::host_type::controller,
                       c_addr[1 - me], "", true});
    c.hosts.push_back({fmt::format("controller-{}", me), cfg::host_type::controller, c_addr[me],
                       "", true});
    c.hosts.push_back({"storage-0", cfg::host_type::storage, "127.0.2.1", "", true});
    for (int i = 0; i < opt.workers; ++i)
      c.hosts.push_back({fmt::format("worker-{}", i), cfg::host_type::worker, worker_addr(i), "",
                         true});
    return c;
  }

  void respond_as(const std::string& name, const std::string& addr) {
    auto n = mgmt(addr);
    responders.push_back(
      start_responder(responder_setup{n, name, false, simnet.bind(addr, n.client_port), nullptr}));
  }

  explicit two_agents(cluster_options o = {}) : opt(o) {
    respond_as("controller-0", c_addr[0]);
    respond_as("controller-1", c_addr[1]);
    respond_as("storage-0", "127.0.2.1");
    for (int i = 0; i < opt.workers; ++i)
      respond_as(fmt::format("worker-{}", i), worker_addr(i));
    for (int me : {0, 1}) {
      char tmpl[] = "/tmp/hbs-test.XXXXXX";
      dir[me] = mkdtemp(tmpl);
      spawn_agent(me);
    }
    run(); // the controllers spawn their children (the peer links among them)
    heal_link();
    simnet.drop = [this](uint32_t from, uint32_t to, uint16_t) {
      auto c1 = parse_ipv4(c_addr[1]);
      for (auto h : cut_from_c1)
        if ((from == c1 && to == h) || (from == h && to == c1))
          return true;
      return false;
    };
    run();
  }

  // Starts agent `me` from its configuration and whatever its directory holds (control
  // state, alarms), as the supervisor does.
  void spawn_agent(int me, cfg::agent_config c) {
    auto control = dir[me] + "/control.json";
    control_state cs{c};
    std::string text, err;
    std::vector<std::string> notes;
    REQUIRE(read_file(control, text, err));
    if (!text.empty())
      REQUIRE_MESSAGE(cs.load(text, err, notes), err);
    std::string alarms;
    REQUIRE(read_file(dir[me] + "/alarms.json", alarms, err));
    sm[me] = simnet.bind(c_addr[me], c.sm.client_port);
    controller_setup s;
    s.config = c;
    s.sockets = {simnet.bind(c_addr[me], 2103)};
    s.sm_socket = sm_door[me] = simnet.bind(c_addr[me], c.sm.server_port);
    s.events_path = dir[me] + "/events.jsonl";
    s.alarms_path = dir[me] + "/alarms.json";
    s.alarms_json = alarms;
    s.control_path = control;
    s.control = std::move(cs);
    s.dial_peer = false; // the fixture hands each link the other's gateway
    s.wall_ms = sim_wall_ms();
    ctrl[me] = sys.spawn(controller_fn, std::move(s));
    gateway[me] = sys.spawn(peer_gateway_fn, ctrl[me], peer_protocol);
  }
  void spawn_agent(int me) { spawn_agent(me, config(me)); }

  peer_actor link_of(int me) { return state_of<controller_state>(ctrl[me]).peer; }

  // The link between the agents goes down on both sides (a partition, or a dead peer).
  void cut_link() {
    for (int me : {0, 1})
      caf::anon_send_exit(gateway[me], caf::exit_reason::user_shutdown);
    run();
    for (int me : {0, 1})
      gateway[me] = sys.spawn(peer_gateway_fn, ctrl[me], peer_protocol);
  }
  // ... and comes back (a partition heals: each side reaches the other's gateway).
  void heal_link() {
    for (int me : {0, 1})
      caf::anon_send(link_of(me), link_atom_v, gateway[1 - me]);
    run();
  }
  // SIGKILL-like: the agent is gone (its last state written), then started again; the
  // link comes back when `relink` is set (the peer was reachable all along).
  void kill_agent(int me) {
    caf::anon_send_exit(ctrl[me], caf::exit_reason::kill);
    run();
    caf::anon_send_exit(gateway[1 - me], caf::exit_reason::user_shutdown); // its link drops
    run();
    gateway[1 - me] = sys.spawn(peer_gateway_fn, ctrl[1 - me], peer_protocol);
  }
  void restart(int me, bool relink = true) {
    kill_agent(me);
    spawn_agent(me);
    run();
    if (relink)
      heal_link();
  }

  ~two_agents() {
    for (auto& c : ctrl)
      caf::anon_send_exit(c, caf::exit_reason::user_shutdown);
    run();
    for (auto& d : dir)
      std::filesystem::remove_all(d);
  }

  std::string role(int me) { return to_string(ask<agent_role>(ctrl[me], role_atom_v)); }

  // Every event agent `me` ever wrote (its events.jsonl, across restarts).
  std::vector<std::string> event_lines(int me) {
    std::string text, err;
    read_file(dir[me] + "/events.jsonl", text, err);
    std::vector<std::string> out;
    for (size_t at = 0, nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1)
      out.push_back(text.substr(at, nl - at));
    return out;
  }

  vault_view vault(int me) { return ask<vault_view>(ctrl[me], vault_atom_v); }

  static const history_view& hist(const vault_view& v, uint8_t controller) {
    for (auto& h : v.histories)
      if (h.controller == controller && h.network == 0)
        return h;
    FAIL("no history for controller-" << int{controller});
    throw std::logic_error("unreachable");
  }

  // Sends SM's JSON to controller `me` from its SM socket.
  void sm_send(int me, const std::string& json) {
    outgoing o{parse_ipv4(c_addr[me]), 0, 2124, static_cast<uint16_t>(json.size()),
               reinterpret_cast<const uint8_t*>(json.data())};
    sm[me]->send(&o, 1);
  }

  std::vector<event> events(int me) { return ask<std::vector<event>>(ctrl[me], events_atom_v,
                                                                     1000u); }
};

inline size_t count(const std::vector<event>& es, const std::string& kind) {
  return std::count_if(es.begin(), es.end(), [&](auto& e) { return e.kind == kind; });
}

} // namespace hbs::test
