#include <doctest/doctest.h>

#include "actors/responder.hpp"
#include "messages/pulse.hpp"
#include "tests/support/caf_fixture.hpp"
#include "tests/support/responders.hpp"
#include "tests/support/stock_daemons.hpp"

using namespace hbs;
using namespace hbs::test;

namespace {

// One real hbs-client responder (worker-0 on 127.0.1.1) and the two stock controllers'
// agents on 127.0.0.1 and 127.0.0.2, on a simulated network.
struct client_fixture : caf_fixture {
  sim_network simnet;
  std::unique_ptr<responder> client;
  stock_agent agents[2] = {stock_agent{simnet, "127.0.0.1"}, stock_agent{simnet, "127.0.0.2"}};

  explicit client_fixture(std::shared_ptr<const wire::pulse_gate> auth = nullptr) {
    cfg::network_config n;
    n.local_address = "127.0.1.1";
    n.mode = cfg::net_mode::unicast;
    client = start_responder(responder_setup{n, "worker-0", false,
                                             simnet.bind("127.0.1.1", 2106), auth});
    run();
  }

  static std::vector<uint8_t> bytes(int ctrl, stock_pulse sp) {
    sp.controller = static_cast<uint8_t>(ctrl);
    sp.flags = static_cast<uint32_t>(ctrl) << wire::controller_shift;
    return stock_bytes(sp);
  }

  void request(int ctrl, stock_pulse sp) { send(ctrl, bytes(ctrl, sp)); }

  void send(int ctrl, const std::vector<uint8_t>& b) {
    agents[ctrl].send("127.0.1.1", 2106, b);
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

namespace {

std::shared_ptr<const wire::pulse_gate> required_key() {
  auto g = std::make_shared<wire::pulse_gate>();
  g->mode = wire::auth_mode::require;
  REQUIRE(g->key.load_hex(std::string(64, 'e')).empty());
  return g;
}

struct signed_client : client_fixture {
  std::shared_ptr<const wire::pulse_gate> key = required_key();
  signed_client() : client_fixture(required_key()) {}

  std::vector<uint8_t> signed_request(int ctrl, uint32_t seq, uint16_t responding, int64_t at) {
    stock_pulse sp;
    sp.sequence = seq;
    auto b = bytes(ctrl, sp);
    for (size_t i = 0; i < 3; ++i) { // every entry of the management history
      b[75 + 10 + 4 * i] = static_cast<uint8_t>(responding);
      b[75 + 11 + 4 * i] = static_cast<uint8_t>(responding >> 8);
    }
    auto n = b.size();
    b.resize(n + wire::auth_trailer_size);
    REQUIRE(key->seal(b.data(), n, b.size(), at) == b.size());
    return b;
  }
};

} // namespace

TEST_CASE_FIXTURE(signed_client, "a signed request replayed within the skew window is dropped; "
                                 "a restarted controller's is taken") {
  auto now = wire::wall_ms();
  auto old = signed_request(0, 41, 9, now - 300); // controller-0 saw 9 responding, then 10
  send(0, old);
  send(0, signed_request(0, 42, 10, now - 200));
  REQUIRE(agents[0].received.size() == 2);
  send(0, old); // a copy captured earlier: within 10 s, MAC good, but older in both
  CHECK(agents[0].received.size() == 2);
  // controller-1 reads controller-0's real view, not the replayed one.
  send(1, signed_request(1, 7, 10, now));
  auto view = last(1);
  REQUIRE(view.cluster.num_histories >= 1);
  CHECK(view.cluster.histories[0].controller == 0);
  CHECK(view.cluster.histories[0].newest().responding == 10);
  // controller-0 restarted: it counts from 0 again, with a newer time stamp: answered.
  send(0, signed_request(0, 1, 10, now - 100));
  CHECK(agents[0].received.size() == 3);
  // Its clock stepped back but it keeps counting: answered.
  send(0, signed_request(0, 2, 10, now - 5000));
  CHECK(agents[0].received.size() == 4);
}
