#include <doctest/doctest.h>

#include "actors/network.hpp"

using namespace hbs;

TEST_CASE("a host leaving an address another host has been given since leaves it to that one") {
  // Two hosts at one address in one change (an address settled to the newer host at a heal):
  // the newcomer's watch may come before the other's unwatch.
  network_state st;
  watch_host(st, "worker-5", "10.0.0.9", host_actor{});
  watch_host(st, "worker-50", "10.0.0.5", host_actor{});
  watch_host(st, "worker-5", "10.0.0.5", host_actor{}); // moved onto worker-50's address
  unwatch_host(st, "worker-50");
  auto i = st.by_addr.find(parse_ipv4("10.0.0.5"));
  REQUIRE(i);
  CHECK(st.refs.at(*i).name == "worker-5");
  unwatch_host(st, "worker-5");
  CHECK_FALSE(st.by_addr.find(parse_ipv4("10.0.0.5")));
  CHECK(st.slots.empty());
}

TEST_CASE("two hosts that swap addresses in one change are both found at their new ones") {
  network_state st;
  watch_host(st, "worker-1", "10.0.0.1", host_actor{});
  watch_host(st, "worker-2", "10.0.0.2", host_actor{});
  watch_host(st, "worker-1", "10.0.0.2", host_actor{});
  watch_host(st, "worker-2", "10.0.0.1", host_actor{});
  for (auto [name, addr] : {std::pair{"worker-1", "10.0.0.2"}, {"worker-2", "10.0.0.1"}}) {
    CAPTURE(name);
    auto i = st.by_addr.find(parse_ipv4(addr));
    REQUIRE(i);
    CHECK(st.refs.at(*i).name == name);
  }
}
