#include <doctest/doctest.h>

#include <string>

#include "actors/active_monitor.hpp"
#include "tests/support/sim_network.hpp"

using namespace hbs;
using namespace hbs::test;

namespace {

// pmond on 127.0.0.1: sends from an ephemeral port to the client's 2202, hears on 2200.
struct monitored_client {
  sim_network simnet;
  std::shared_ptr<sim_socket> amon = simnet.bind("127.0.0.1", 2202);
  std::shared_ptr<sim_socket> pmond_tx = simnet.bind("127.0.0.1", 41000);
  std::shared_ptr<sim_socket> pmond_rx = simnet.bind("127.0.0.1", 2200);
  active_monitor monitor{{amon, "hbs-client", 2200}};

  void request(const std::string& text) {
    outgoing o{parse_ipv4("127.0.0.1"), 0, 2202, static_cast<uint16_t>(text.size()),
               reinterpret_cast<const uint8_t*>(text.data())};
    REQUIRE(pmond_tx->send(&o, 1) == 1);
    monitor.drain();
  }

  std::vector<std::string> answers() {
    std::vector<std::string> out;
    datagram d;
    while (pmond_rx->receive(&d, 1) == 1)
      out.emplace_back(reinterpret_cast<const char*>(d.data.data()), d.size);
    return out;
  }
};

} // namespace

TEST_CASE("the client answers pmond's active monitor on port 2200 for its own name") {
  monitored_client c;
  c.request("hbs-client 12345678 1");
  c.request("hbs-client 12345678 2");
  CHECK(c.answers() == std::vector<std::string>{"hbs-client edcba987 1",
                                                "hbs-client edcba987 2"});
  CHECK(c.monitor.num_answered() == 2);
  datagram d;
  CHECK(c.pmond_tx->receive(&d, 1) == 0); // nothing goes back to the sending port
}

TEST_CASE("a request for another process or a malformed one is counted, not answered") {
  monitored_client c;
  c.request("hbsClient 12345678 1"); // the stock client's name: pmond's conf names another
  c.request("hbs-client nothex 2");
  c.request("hbs-client edcba987 5"); // an answer, or anything but pmond's magic
  c.request("hbs-client 12345678");
  c.request(std::string(200, 'x'));
  CHECK(c.answers().empty());
  CHECK(c.monitor.num_answered() == 0);
  CHECK(c.monitor.num_rejected(wire::amon_error::wrong_name) == 1);
  CHECK(c.monitor.num_rejected(wire::amon_error::bad_magic) == 2);
  CHECK(c.monitor.num_rejected(wire::amon_error::bad_sequence) == 1);
  CHECK(c.monitor.num_rejected(wire::amon_error::oversized) == 1);
  c.request("hbs-client 12345678 9"); // and the next good one is answered
  CHECK(c.answers() == std::vector<std::string>{"hbs-client edcba987 9"});
}

TEST_CASE("a burst of requests waiting on the socket is answered in one drain") {
  monitored_client c;
  for (int i = 1; i <= 10; ++i) {
    auto text = "hbs-client 12345678 " + std::to_string(i);
    outgoing o{parse_ipv4("127.0.0.1"), 0, 2202, static_cast<uint16_t>(text.size()),
               reinterpret_cast<const uint8_t*>(text.data())};
    c.pmond_tx->send(&o, 1);
  }
  c.monitor.drain();
  auto got = c.answers();
  REQUIRE(got.size() == 10);
  CHECK(got.back() == "hbs-client edcba987 10");
}
