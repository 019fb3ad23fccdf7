// The peer link itself, over CAF's network layer in simulated time: two actor systems
// ("earth" = controller-0, "mars" = controller-1), each with a test coordinator and a test
// multiplexer, linked by in-memory connections (the zeek/broker fixture idea, rebuilt for
// doctest). Link-up exchange, a cut and a reconnect, duplicated and reordered snapshots.
#include <doctest/doctest.h>

#include <caf/io/basp_broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/network/test_multiplexer.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <fmt/format.h>

#include "actors/controller.hpp"
#include "actors/peer.hpp"
#include "actors/peer_gateway.hpp"

using namespace hbs;
using namespace std::chrono_literals;

namespace {

constexpr uint16_t port = 8080;
const std::string addr[2] = {"10.0.0.1", "10.0.0.2"};

struct node {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  caf::scheduler::test_coordinator& sched;
  caf::io::network::test_multiplexer& mpx;
  controller_actor ctrl;
  peer_gateway_actor gateway;

  static caf::actor_system_config& init(caf::actor_system_config& c) {
    add_types(c);
    c.set("scheduler.policy", caf::atom("testing"));
    c.set("middleman.network-backend", caf::atom("testing"));
    c.set("middleman.manual-multiplexing", true);
    c.set("middleman.workers", size_t{0});
    c.set("middleman.heartbeat-interval", caf::timespan{0});
    c.set("logger.inline-output", true);
    c.load<caf::io::middleman>();
    return c;
  }

  node()
    : sys(init(cfg)), sched(dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler())),
      mpx(dynamic_cast<caf::io::network::test_multiplexer&>(sys.middleman().backend())) {
    sched.clock().current_time += 1h;
  }

  // Runnables before read_data: read_data reports only the bytes it consumed.
  bool step() {
    return sched.try_run_once() || mpx.try_exec_runnable() || mpx.read_data()
           || mpx.try_accept_connection();
  }
};

cfg::agent_config config(int me) {
  cfg::agent_config c;
  c.controller = me == 0 ? "controller-0" : "controller-1";
  c.active = true; // both claim: the link must settle it
  c.peer.address = addr[1 - me];
  c.peer.port = port;
  c.peer.hold_off_ms = 3000;
  c.hosts = {{"worker-0", cfg::host_type::worker, "10.0.1.1", "", false},
             {"worker-1", cfg::host_type::worker, "10.0.1.2", "", false}};
  return c;
}

// What controller-1 ("mars") runs: this release, a release of another peer protocol, or
// one from before the protocol query (its gateway does not know the question).
enum class mars_release { same, other_protocol, before_query };

// A gateway as releases before peer protocol 2 published it: no protocol query.
caf::behavior gateway_before_query() {
  return {[](ping_atom) { return uint64_t{0}; }};
}

struct basp_pair {
  node n[2];
  int64_t next_handle = 10; // connection handles; acceptors are 0 and 1
  caf::actor legacy;        // mars's published gateway when it runs a release before_query

  explicit basp_pair(mars_release mars = mars_release::same) {
    wire(0); // each side's acceptor exists before it publishes
    wire(1);
    for (int me : {0, 1}) {
      controller_setup s;
      s.config = config(me);
      if (me == 1 && mars == mars_release::other_protocol)
        s.peer_protocol = peer_protocol + 1;
      auto protocol = s.peer_protocol;
      n[me].ctrl = n[me].sys.spawn(controller_fn, std::move(s));
      n[me].gateway = n[me].sys.spawn(peer_gateway_fn, n[me].ctrl, protocol);
      caf::anon_send(n[me].ctrl, hello_atom_v, n[me].gateway.address()); // as the supervisor
      if (me == 1 && mars == mars_release::before_query)
        legacy = n[me].sys.spawn(gateway_before_query);
      pump(); // nothing else may be due when the publish request goes out
      n[me].sched.inline_next_enqueue(); // publish blocks on the middleman actor
      if (legacy)
        REQUIRE(n[me].sys.middleman().publish(legacy, port) == port);
      else
        REQUIRE(n[me].sys.middleman().publish(n[me].gateway, port) == port);
    }
    pump();
  }

  ~basp_pair() {
    for (auto& x : n) {
      caf::anon_send_exit(x.ctrl, caf::exit_reason::user_shutdown);
      caf::anon_send_exit(x.gateway, caf::exit_reason::user_shutdown);
    }
    if (legacy)
      caf::anon_send_exit(legacy, caf::exit_reason::user_shutdown);
    pump();
  }

  // The next connect of `client` to the other node's gateway gets an in-memory connection.
  void wire(int client) {
    auto& server = n[1 - client];
    auto acc = caf::io::accept_handle::from_int(1 - client); // one acceptor per node, reused
    auto srv = caf::io::connection_handle::from_int(next_handle++);
    auto cli = caf::io::connection_handle::from_int(next_handle++);
    server.mpx.prepare_connection(acc, srv, n[client].mpx, addr[1 - client], port, cli);
    links.push_back({srv, cli, client});
  }

  void pump() {
    for (bool progress = true; progress;) {
      progress = false;
      while (n[0].step() || n[1].step())
        progress = true;
    }
  }

  void advance(caf::timespan total, caf::timespan step = 100ms) {
    for (caf::timespan t{0}; t < total; t += step) {
      for (auto& x : n)
        x.sched.advance_time(step);
      pump();
    }
  }

  template <class T, class... Ts>
  T ask(int me, Ts&&... xs) {
    caf::scoped_actor self{n[me].sys, true};
    T out{};
    auto pending = self->request(n[me].ctrl, caf::infinite, std::forward<Ts>(xs)...);
    pump();
    pending.receive([&](T& x) { out = std::move(x); },
                    [&](caf::error& e) { FAIL("request failed: " << n[me].sys.render(e)); });
    return out;
  }

  controller_state& state(int me) {
    using base = controller_actor::stateful_base<controller_state>;
    return dynamic_cast<base&>(*caf::actor_cast<caf::abstract_actor*>(n[me].ctrl)).state;
  }

  bool link_up(int me) { return state(me).link_up; }

  peer_gateway_state& gateway_state(int me) {
    using base = peer_gateway_actor::stateful_base<peer_gateway_state>;
    return dynamic_cast<base&>(*caf::actor_cast<caf::abstract_actor*>(n[me].gateway)).state;
  }

  uint64_t num_taken(int me) { return gateway_state(me).num_taken; }

  // The proxy node `me` holds of the other node's peer gateway.
  peer_gateway_actor state_of_peer(int me) {
    using base = peer_actor::stateful_base<peer_state>;
    auto* a = caf::actor_cast<caf::abstract_actor*>(state(me).peer);
    return dynamic_cast<base&>(*a).state.remote;
  }

  // Both ends of every connection fail (a crash or a cut): CAF reports the link down.
  void cut() {
    auto fail = [](caf::io::network::test_multiplexer& mpx, caf::io::connection_handle h) {
      if (auto& p = mpx.impl_ptr(h)) // a prepared connection nobody dialed has none
        p->io_failure(&mpx, caf::io::network::operation::read);
    };
    for (auto& l : links) {
      fail(n[1 - l.client].mpx, l.server);
      fail(n[l.client].mpx, l.client_side);
    }
    links.clear();
    pump();
  }

  struct link {
    caf::io::connection_handle server;
    caf::io::connection_handle client_side;
    int client;
  };
  std::vector<link> links;
};

struct mixed_pair : basp_pair {
  mixed_pair() : basp_pair(mars_release::other_protocol) {}
};

struct pair_with_old_mars : basp_pair {
  pair_with_old_mars() : basp_pair(mars_release::before_query) {}
};

} // namespace

TEST_CASE_FIXTURE(basp_pair, "two agents linked over BASP settle on one active and share "
                             "their state") {
  advance(500ms);
  REQUIRE(link_up(0));
  REQUIRE(link_up(1));
  // Both files claimed "active": the tie goes to the higher controller number, on both.
  CHECK(to_string(ask<agent_role>(0, role_atom_v)) == "inactive");
  CHECK(to_string(ask<agent_role>(1, role_atom_v)) == "active");
  CHECK(ask<std::string>(0, start_atom_v, std::string{"worker-0"}) == "worker-0 started");
  advance(200ms);
  CHECK(state(1).control->find("worker-0")->monitored);
}

TEST_CASE_FIXTURE(basp_pair, "a cut link comes back and both sides converge, none of the "
                             "commands of the cut lost") {
  advance(500ms);
  REQUIRE(link_up(0));
  cut();
  CHECK_FALSE(link_up(0));
  CHECK_FALSE(link_up(1));
  CHECK(ask<std::string>(0, del_atom_v, std::string{"worker-1"}) == "deleted worker-1");
  CHECK(ask<std::string>(1, action_atom_v, cfg::failure_action::degrade)
        == "failure action degrade (was fail)");
  CHECK(state(1).control->find("worker-1") != nullptr); // not heard yet
  wire(0); // controller-0 dials; controller-1 links back through its hello
  advance(2s); // the link retries within 500 ms
  REQUIRE(link_up(0));
  REQUIRE(link_up(1));
  for (int me : {0, 1}) {
    CAPTURE(me);
    CHECK(state(me).control->find("worker-1") == nullptr);
    CHECK(state(me).control->action().value == cfg::failure_action::degrade);
  }
  CHECK(state(0).control->to_json() == state(1).control->to_json());
  CHECK(to_string(ask<agent_role>(1, role_atom_v)) == "active");
  CHECK(to_string(ask<agent_role>(0, role_atom_v)) == "inactive");
}

TEST_CASE_FIXTURE(basp_pair, "duplicated and reordered snapshots over the wire change "
                             "nothing that is newer") {
  advance(500ms);
  REQUIRE(link_up(0));
  auto& cs0 = *state(0).control;
  std::vector<control_snapshot> sent;
  for (auto a : {cfg::failure_action::alarm, cfg::failure_action::degrade}) {
    auto d = cs0.delta({});
    d.action = {a, *cs0.next()};
    sent.push_back(d);
  }
  // Delivered out of order and twice, through earth's proxy of mars's gateway, from
  // earth (the node mars's gateway admitted by its hello).
  auto remote = state_of_peer(0);
  {
    caf::scoped_actor self{n[0].sys, true};
    for (auto i : {1, 0, 1, 0})
      self->send(remote, sync_atom_v, sent[static_cast<size_t>(i)]);
  }
  pump();
  CHECK(state(1).control->action().value == cfg::failure_action::degrade);
  CHECK(state(1).num_refused == 0);
}

TEST_CASE_FIXTURE(mixed_pair, "agents of two peer protocols refuse each other, both named, "
                              "and nothing of either's state crosses") {
  advance(1s); // controller-0 dialed and asked
  CHECK_FALSE(link_up(0));
  CHECK_FALSE(link_up(1));
  auto p0 = ask<peer_status>(0, peer_atom_v);
  CHECK(p0.protocol == peer_protocol);
  CHECK(p0.refusal.find(fmt::format("(peer protocol {}), this agent", peer_protocol + 1))
        != std::string::npos);
  CHECK(p0.refusal.find(fmt::format("(peer protocol {});", peer_protocol))
        != std::string::npos);
  CHECK(ask<std::string>(0, del_atom_v, std::string{"worker-1"}) == "deleted worker-1");
  advance(6s); // controller-1 dials after 5 s without a link; controller-0 asked again
  CHECK_FALSE(link_up(0));
  CHECK_FALSE(link_up(1));
  auto p1 = ask<peer_status>(1, peer_atom_v);
  CHECK(p1.protocol == peer_protocol + 1);
  CHECK(p1.refusal.find(fmt::format("(peer protocol {}), this agent", peer_protocol))
        != std::string::npos);
  CHECK(state(1).control->find("worker-1") != nullptr); // the delete never crossed
  CHECK(num_taken(0) == 0);
  CHECK(num_taken(1) == 0);
  CHECK(p0.link_up == false);
  CHECK(ask<peer_status>(0, peer_atom_v).num_link_ups == 0);
}

TEST_CASE_FIXTURE(pair_with_old_mars, "an agent from before the protocol query is refused, "
                                      "the log and hbsctl saying so") {
  advance(1s);
  CHECK_FALSE(link_up(0));
  auto p0 = ask<peer_status>(0, peer_atom_v);
  CHECK(p0.refusal.find("answers no peer-protocol query") != std::string::npos);
  CHECK(num_taken(0) == 0);
}

TEST_CASE_FIXTURE(basp_pair, "a hello of another peer protocol is refused: the side dialed "
                             "links on the hello alone") {
  advance(500ms);
  REQUIRE(link_up(1));
  auto remote = state_of_peer(0); // earth's proxy of mars's gateway
  auto taken = num_taken(1);
  auto refused = gateway_state(1).num_refused;
  {
    caf::scoped_actor self{n[0].sys, true};
    self->send(remote, hello_atom_v, self->address(), peer_protocol + 1);
  }
  pump();
  CHECK(gateway_state(1).num_refused == refused + 1);
  CHECK(num_taken(1) == taken);
  {
    caf::scoped_actor self{n[0].sys, true};
    self->send(remote, hello_atom_v, self->address(), peer_protocol);
  }
  pump();
  CHECK(gateway_state(1).num_refused == refused + 1);
  CHECK(num_taken(1) == taken + 1); // taken to the controller (which keeps the link it has)
}

TEST_CASE_FIXTURE(pair_with_old_mars, "state from a node that said no protocol is not taken, "
                                      "as a release before the question would send it") {
  // Such a release passes its own interface check against this gateway and sends its state
  // without a hello: mars's old gateway stands for it, earth's gateway must not hear it.
  advance(1s);
  auto earth_gateway = [&] {
    caf::scoped_actor self{n[1].sys, true};
    auto pending = self->request(n[1].sys.middleman().actor_handle(), caf::infinite,
                                 caf::connect_atom::value, addr[0], port);
    pump();
    caf::strong_actor_ptr out;
    pending.receive([&](const caf::node_id&, caf::strong_actor_ptr& p,
                        const std::set<std::string>&) { out = std::move(p); },
                    [&](caf::error& e) { FAIL("connect failed: " << n[1].sys.render(e)); });
    return caf::actor_cast<peer_gateway_actor>(out);
  };
  wire(1);
  auto gw = earth_gateway();
  REQUIRE(gw);
  auto refused = gateway_state(0).num_refused;
  auto d = state(0).control->delta({});
  d.action = {cfg::failure_action::none, {max_generation - 1, 1}};
  {
    caf::scoped_actor self{n[1].sys, true};
    self->send(gw, sync_atom_v, d);
    self->send(gw, mnfa_atom_v, mnfa_report{true, true, true, true});
  }
  pump();
  CHECK(gateway_state(0).num_refused == refused + 2);
  CHECK(num_taken(0) == 0);
  CHECK(state(0).control->action().value == cfg::failure_action::fail);
}

TEST_CASE_FIXTURE(mixed_pair, "when the refused agent goes (upgraded), the dialer asks again "
                              "at once, not after the retry interval") {
  advance(1s);
  using base = peer_actor::stateful_base<peer_state>;
  auto& peer0 = dynamic_cast<base&>(*caf::actor_cast<caf::abstract_actor*>(state(0).peer)).state;
  REQUIRE(peer0.refusal.find("peer protocol 3") != std::string::npos);
  REQUIRE(peer0.refused_gateway);
  auto dials = peer0.num_dials;
  caf::anon_send_exit(n[1].gateway, caf::exit_reason::user_shutdown); // mars stops
  pump(); // no time passes
  CHECK_FALSE(peer0.refused_gateway);
  CHECK(peer0.num_dials == dials + 1); // asked again at once
}
