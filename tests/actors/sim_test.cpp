#include <doctest/doctest.h>

#include <set>

#include "actors/criss_cross.hpp"
#include "actors/sim.hpp"
#include "messages/pulse.hpp"
#include "tests/support/caf_fixture.hpp"
#include "tests/support/sim_network.hpp"

using namespace hbs;
using namespace hbs::test;

namespace {

constexpr const char* group = "239.1.1.2";

// hbs-sim as its main() builds it for two networks with a floor to copy to: the first actor
// answers both and takes the commands; the helper answers network 1 while the copies are on.
// The agent's two sockets play the agent.
struct two_sims : caf_fixture {
  sim_network net;
  std::array<std::shared_ptr<sim_socket>, 2> agent{net.bind("127.0.0.1", 2103),
                                                    net.bind("127.0.0.2", 2113)};
  std::array<std::shared_ptr<sim_socket>, 2> floor{net.bind("127.0.0.1", 2999),
                                                    net.bind("127.0.0.1", 3000)};
  sim_actor first, second;

  two_sims() {
    sim_setup s;
    s.names = {"sim-0", "sim-1", "sim-2", "sim-3"};
    s.base = {parse_ipv4("127.1.0.1"), parse_ipv4("127.2.0.1")};
    s.mirror_port = 2999;
    s.mirror = false;
    for (uint8_t n : {0, 1}) {
      cfg::network_config c;
      c.index = n;
      c.client_port = n == 0 ? 2106 : 2116;
      c.agent_port = n == 0 ? 2103 : 2113;
      s.nets.push_back(c);
      s.sockets.push_back(net.bind(n == 0 ? "127.1.0.1" : "127.2.0.1", c.client_port, group));
    }
    auto other = s;
    other.echo = false;
    second = sys.spawn(sim_fn, other);
    s.serve = {0, 1};
    s.helper = second;
    first = sys.spawn(sim_fn, s);
    run();
  }

  void command(const std::string& text) {
    caf::anon_send(first, control_atom_v, text);
    run();
  }

  size_t requests(const sim_actor& a) { return state_of<sim_state>(a).num_requests; }

  ~two_sims() {
    caf::anon_send_exit(first, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(second, caf::exit_reason::user_shutdown);
    run();
  }

  // One multicast request on the management network; the answers the agent got.
  std::vector<datagram> ask(const wire::pulse& req) {
    std::array<uint8_t, wire::max_pulse_size> buf{};
    auto size = wire::encode_pulse(wire::pulse_kind::request, req, {buf.data(), buf.size()});
    outgoing o{parse_ipv4(group), 0, 2106, static_cast<uint16_t>(size), buf.data()};
    agent[0]->send(&o, 1);
    run();
    std::vector<datagram> rx(16);
    rx.resize(agent[0]->receive(rx.data(), rx.size()));
    return rx;
  }

  // One multicast request per network; returns the answers each network's agent got.
  std::array<size_t, 2> ask_both(uint32_t sequence) {
    std::array<size_t, 2> got{};
    for (uint8_t n : {0, 1}) {
      wire::pulse req;
      req.sequence = sequence;
      std::array<uint8_t, wire::max_pulse_size> buf{};
      auto size = wire::encode_pulse(wire::pulse_kind::request, req, {buf.data(), buf.size()});
      outgoing o{parse_ipv4(group), 0, static_cast<uint16_t>(n == 0 ? 2106 : 2116),
                 static_cast<uint16_t>(size), buf.data()};
      agent[n]->send(&o, 1);
    }
    run();
    for (uint8_t n : {0, 1}) {
      std::array<datagram, 16> rx;
      got[n] = agent[n]->receive(rx.data(), rx.size());
    }
    return got;
  }
};

} // namespace

TEST_CASE_FIXTURE(two_sims, "one actor answers both networks until the floor's copies go on, "
                            "then the helper answers the second") {
  CHECK(ask_both(1) == std::array<size_t, 2>{4, 4});
  CHECK(requests(first) == 2);
  CHECK(requests(second) == 0);
  command("mirror on");
  CHECK(ask_both(2) == std::array<size_t, 2>{4, 4});
  CHECK(requests(first) == 3);
  CHECK(requests(second) == 1);
  std::array<datagram, 16> rx;
  // Every answer copied, by both actors, each network's to its own port.
  for (uint32_t n : {0, 1}) {
    REQUIRE(floor[n]->receive(rx.data(), rx.size()) == 4);
    for (size_t i = 0; i < 4; ++i) // from the host's address on that network (127.n+1.0.x)
      CHECK((rx[i].addr >> 16) == 0x7f01u + n);
  }
  command("mirror off");
  CHECK(ask_both(3) == std::array<size_t, 2>{4, 4});
  CHECK(requests(first) == 5);
  CHECK(requests(second) == 1);
  CHECK(floor[0]->receive(rx.data(), rx.size()) == 0);
  CHECK(floor[1]->receive(rx.data(), rx.size()) == 0);
}

TEST_CASE_FIXTURE(two_sims, "a fault command given to the first actor reaches the helper") {
  command("mirror on");
  command("stop 2 clstr");
  CHECK(ask_both(1) == std::array<size_t, 2>{4, 3});
  CHECK(requests(second) == 1);
  command("stop sim-0 mgmt");
  CHECK(ask_both(2) == std::array<size_t, 2>{3, 3});
  command("heal");
  CHECK(ask_both(3) == std::array<size_t, 2>{4, 4});
}

TEST_CASE_FIXTURE(two_sims, "simulated hosts answer byte for byte as a client's criss-cross "
                            "would, to both controllers") {
  std::vector<criss_cross> clients;
  for (auto* name : {"sim-0", "sim-1", "sim-2", "sim-3"})
    clients.emplace_back(name);
  auto from = [](uint32_t ctrl, uint32_t seq, uint16_t responding) {
    wire::pulse p;
    p.sequence = seq;
    p.set_name("sim-2");
    p.clue = 7 + ctrl;
    p.flags = ctrl << wire::controller_shift;
    p.cluster.num_histories = 2;
    for (uint8_t i = 0; i < 2; ++i) {
      p.cluster.histories[i].controller = static_cast<uint8_t>(ctrl);
      p.cluster.histories[i].network = i;
      p.cluster.histories[i].append({4, responding});
    }
    return p;
  };
  // Echoed, then crossed both ways, then a request without history, then a legacy one.
  std::vector<wire::pulse> requests{from(0, 1, 4), from(1, 2, 3), from(0, 3, 2),
                                    from(0, 4, 1), from(1, 5, 4)};
  requests.push_back(from(0, 6, 4));
  requests.back().cluster.num_histories = 0;
  requests.push_back(from(1, 7, 4));
  requests.back().version = 0;
  uint32_t flags = wire::pmond_flag | wire::cluster_host_flag;
  std::set<cross_outcome> seen;
  for (auto& req : requests) {
    auto answers = ask(req);
    REQUIRE(answers.size() == 4);
    for (auto& d : answers) {
      auto host = d.addr - parse_ipv4("127.1.0.1");
      REQUIRE(host < 4);
      wire::pulse rsp;
      seen.insert(clients[host].respond(req, flags, rsp).outcome);
      std::array<uint8_t, wire::max_pulse_size> want{};
      auto size = wire::encode_pulse(wire::pulse_kind::response, rsp, {want.data(), want.size()});
      REQUIRE(d.size == size);
      auto diff = std::mismatch(want.begin(), want.begin() + size, d.data.begin());
      CHECK(diff.first - want.begin() == static_cast<long>(size));
    }
  }
  CHECK(seen == std::set<cross_outcome>{cross_outcome::echoed, cross_outcome::crossed,
                                        cross_outcome::no_history, cross_outcome::legacy});
}
