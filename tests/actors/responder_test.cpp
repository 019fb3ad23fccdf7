#include <doctest/doctest.h>

#include "actors/responder.hpp"
#include "messages/pulse.hpp"
#include "tests/support/caf_fixture.hpp"
#include "tests/support/stock_daemons.hpp"

using namespace hbs;
using namespace hbs::test;

namespace {

// One real hbs-client responder (worker-0 on 127.0.1.1) and the two stock controllers'
// agents on 127.0.0.1 and 127.0.0.2, on a simulated network.
struct client_fixture : caf_fixture {
  sim_network simnet;
  responder_actor responder;
  stock_agent agents[2] = {stock_agent{simnet, "127.0.0.1"}, stock_agent{simnet, "127.0.0.2"}};

  client_fixture() {
    cfg::network_config n;
    n.local_address = "127.0.1.1";
    n.mode = cfg::net_mode::unicast;
    responder = sys.spawn(responder_fn, responder_setup{n, "worker-0", false,
                                                        simnet.bind("127.0.1.1", 2106), nullptr});
    run();
  }
  ~client_fixture() {
    caf::anon_send_exit(responder, caf::exit_reason::user_shutdown);
    run();
  }

  void request(int ctrl, stock_pulse sp) {
    sp.controller = static_cast<uint8_t>(ctrl);
    sp.flags = static_cast<uint32_t>(ctrl) << wire::controller_shift;
    agents[ctrl].send("127.0.1.1", 2106, stock_bytes(sp));
    run();
  }

  wire::pulse last(int ctrl) {
    REQUIRE(!agents[ctrl].received.empty());
    auto& d = agents[ctrl].received.back();
    wire::pulse p;
    REQUIRE(wire::decode_pulse(wire::pulse_kind::response, {d.data.data(), d.size}, p)
            == wire::decode_error::none);
    return p;
  }
};

} // namespace

TEST_CASE_FIXTURE(client_fixture, "hbs-client answers a stock agent's padded requests and "
                                  "crosses its history to the other controller") {
  stock_pulse sp;
  sp.name = "worker-0";
  sp.clue = 4;
  for (uint32_t seq = 1; seq <= 20; ++seq) {
    sp.sequence = seq;
    sp.stored = seq % 2 ? 4 : 3; // 427 and 339 bytes, as a stock agent with peer histories
    request(0, sp);
    request(1, sp);
    // Up to two requests in one period (a late timer, then the next): both are answered.
    if (seq % 5 == 0)
      request(1, sp);
  }
  CHECK(agents[0].received.size() == 20);
  CHECK(agents[1].received.size() == 24);
  // The answer went to the agent port of the sender's address, not the ephemeral port.
  auto rsp = last(0);
  CHECK(rsp.sequence == 20);
  CHECK(rsp.controller() == 0);
  CHECK(rsp.clue == 4);
  CHECK(rsp.name_view() == "worker-0");
  REQUIRE(rsp.cluster.num_histories == 2);
  CHECK(rsp.cluster.histories[0].controller == 1); // controller-1's view, crossed
  CHECK(last(1).cluster.histories[0].controller == 0);
  // A response is never padded: 63 + 12 + 88 x histories.
  CHECK(agents[0].received.back().size == 251);
}

TEST_CASE_FIXTURE(client_fixture, "hbs-client answers a legacy version 0 request with a "
                                  "legacy answer") {
  stock_pulse sp;
  sp.version = 0;
  sp.stored = 0;
  sp.clue = 9;
  sp.sequence = 77;
  request(0, sp);
  sp.stored = 4; // a legacy request with trailing bytes is still a legacy request
  request(1, sp);
  REQUIRE(agents[0].received.size() == 1);
  CHECK(agents[0].received[0].size == 63);
  auto rsp = last(0);
  CHECK(rsp.version == 0);
  CHECK(rsp.clue == 9);
  CHECK(rsp.sequence == 77);
  REQUIRE(agents[1].received.size() == 1);
  CHECK(last(1).version == 0);
  CHECK(last(1).controller() == 0); // StarlingX does not restore controller bits for v0
}
