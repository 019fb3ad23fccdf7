#include <doctest/doctest.h>

#include "actors/state_tally.hpp"

using namespace hbs;

namespace {

uint32_t monitored(const state_tally& t, uint8_t net) {
  uint32_t n = 0;
  for (auto h : {host_health::ok, host_health::minor, host_health::degraded, host_health::lost})
    n += t.count(net, h);
  return n;
}

} // namespace

TEST_CASE("a host moves between the counts of its network as its state changes") {
  state_tally t;
  t.set("worker-1", 0, host_health::ok);
  t.set("worker-2", 0, host_health::ok);
  t.set("worker-2", 1, host_health::ok);
  CHECK(t.count(0, host_health::ok) == 2);
  CHECK(t.count(1, host_health::ok) == 1);
  t.set("worker-1", 0, host_health::minor);
  t.set("worker-1", 0, host_health::degraded);
  t.set("worker-1", 0, host_health::lost);
  CHECK(t.count(0, host_health::ok) == 1);
  CHECK(t.count(0, host_health::minor) == 0);
  CHECK(t.count(0, host_health::degraded) == 0);
  CHECK(t.count(0, host_health::lost) == 1);
  CHECK(t.count(1, host_health::ok) == 1); // the other network is its own
  t.set("worker-1", 0, host_health::ok);
  CHECK(t.count(0, host_health::ok) == 2);
  CHECK(t.count(0, host_health::lost) == 0);
}

TEST_CASE("a repeated report counts a host once") {
  state_tally t;
  for (int i = 0; i < 3; ++i)
    t.set("worker-1", 0, host_health::minor);
  CHECK(t.count(0, host_health::minor) == 1);
  CHECK(monitored(t, 0) == 1);
}

TEST_CASE("a stopped host leaves every count and a forgotten one leaves the tally") {
  state_tally t;
  t.set("worker-1", 0, host_health::lost);
  t.set("worker-1", 1, host_health::degraded);
  t.set("worker-2", 0, host_health::ok);
  t.set("worker-1", 0, host_health::none);
  CHECK(t.count(0, host_health::lost) == 0);
  CHECK(t.count(1, host_health::degraded) == 1);
  t.forget("worker-1");
  CHECK(monitored(t, 0) == 1);
  CHECK(monitored(t, 1) == 0);
  CHECK(t.num_hosts() == 1);
  t.forget("worker-9"); // never reported: nothing to take away
  CHECK(monitored(t, 0) == 1);
}

TEST_CASE("a report for a network or state that does not exist changes nothing") {
  state_tally t;
  t.set("worker-1", 2, host_health::ok);
  t.set("worker-1", 0, static_cast<host_health>(9));
  CHECK(monitored(t, 0) == 0);
  CHECK(t.count(2, host_health::ok) == 0);
  CHECK(t.count(0, host_health::none) == 0);
}

TEST_CASE("states are named as hbsctl and the metrics name them") {
  liveness l{thresholds{}, true, false};
  CHECK(std::string{to_string(health_of(l))} == "ok");
  for (int i = 0; i < 4; ++i)
    l.on_miss();
  CHECK(health_of(l) == host_health::minor);
  for (int i = 0; i < 2; ++i)
    l.on_miss();
  CHECK(health_of(l) == host_health::degraded);
  for (int i = 0; i < 4; ++i)
    l.on_miss();
  CHECK(health_of(l) == host_health::lost);
  CHECK(std::string{to_string(host_health::lost)} == "lost");
  CHECK(std::string{to_string(host_health::none)} == "unmonitored");
}
