#include <doctest/doctest.h>

#include <cstring>

#include "actors/alive_monitor.hpp"
#include "messages/pulse.hpp"
#include "tests/support/responders.hpp"
#include "tests/support/stock_daemons.hpp"

using namespace hbs;
using namespace hbs::test;

namespace {

// worker-0's client: a responder answering one stock agent, and the process monitor's
// alive pulses arriving on a local socket.
struct watched_client {
  sim_network simnet;
  std::shared_ptr<sim_socket> pmon = simnet.bind("127.0.0.1", 2117);
  std::shared_ptr<sim_socket> pmond = simnet.bind("127.0.0.1", 40000);
  stock_agent agent{simnet, "127.0.0.1"};
  std::unique_ptr<responder> client;
  std::unique_ptr<alive_monitor> alive;
  uint32_t sequence = 0;

  watched_client() {
    cfg::network_config n;
    n.local_address = "127.0.1.1";
    n.mode = cfg::net_mode::unicast;
    client = start_responder({n, "worker-0", false, simnet.bind("127.0.1.1", 2106), nullptr});
    alive = std::make_unique<alive_monitor>(pmon, std::vector<responder*>{client.get()});
  }

  void pulse(size_t size = 100) {
    std::array<uint8_t, 120> b{};
    std::memcpy(b.data(), "pmond alive pulse", 17);
    outgoing o{parse_ipv4("127.0.0.1"), 0, 2117, static_cast<uint16_t>(size), b.data()};
    pmond->send(&o, 1);
    alive->drain();
  }

  // The flags of worker-0's answer to a fresh request.
  uint32_t answered_flags() {
    stock_pulse sp;
    sp.sequence = ++sequence;
    sp.stored = 0;
    agent.send("127.0.1.1", 2106, stock_bytes(sp));
    REQUIRE(!agent.received.empty());
    auto& d = agent.received.back();
    wire::pulse p;
    REQUIRE(wire::decode_pulse(wire::pulse_kind::response, {d.data.data(), d.size}, p)
            == wire::decode_error::none);
    CHECK(p.sequence == sequence);
    return p.flags;
  }
};

} // namespace

TEST_CASE("a process monitor silent for a whole window clears the flag in every answer "
          "until it pulses again") {
  watched_client w;
  CHECK((w.answered_flags() & wire::pmond_flag) != 0); // alive until a window says otherwise
  w.pulse();
  w.alive->close_window();
  CHECK((w.answered_flags() & wire::pmond_flag) != 0);
  w.pulse(99); // not pmond's pulse: another size
  w.alive->close_window();
  CHECK(!w.alive->alive());
  CHECK((w.answered_flags() & wire::pmond_flag) == 0);
  w.alive->close_window();
  CHECK((w.answered_flags() & wire::pmond_flag) == 0);
  w.pulse();
  w.alive->close_window();
  CHECK(w.alive->alive());
  CHECK((w.answered_flags() & wire::pmond_flag) != 0);
}
