#include <doctest/doctest.h>

#include "actors/sim_faults.hpp"

using namespace hbs;

namespace {

sim_faults ten() {
  std::vector<std::string> names;
  for (int i = 0; i < 10; ++i)
    names.push_back("sim-" + std::to_string(i));
  return sim_faults{names};
}

} // namespace

TEST_CASE("stop and resume take an index, a range, a name or all, per network") {
  auto f = ten();
  CHECK(f.apply("stop 3 mgmt").num_hosts == 1);
  CHECK(f.silent(3, 0, 0));
  CHECK_FALSE(f.silent(3, 1, 0));
  CHECK(f.apply("stop 5-7").num_hosts == 3);
  CHECK(f.silent(6, 1, 0));
  CHECK(f.apply("resume sim-6 clstr").ok);
  CHECK_FALSE(f.silent(6, 1, 0));
  CHECK(f.silent(6, 0, 0));
  CHECK(f.apply("resume all").num_hosts == 10);
  CHECK(f.num_silent(0) == 0);
}

TEST_CASE("a switch failure silences a fraction of the hosts on one network") {
  auto f = ten();
  auto r = f.apply("switch 0.8 mgmt");
  CHECK(r.ok);
  CHECK(r.num_hosts == 8);
  CHECK(f.num_silent(0) == 8);
  CHECK(f.num_silent(1) == 0);
  CHECK(f.apply("heal").ok);
  CHECK(f.num_silent(0) == 0);
}

TEST_CASE("flapping hosts alternate between answering and silence") {
  auto f = ten();
  REQUIRE(f.apply("flap 2 mgmt 500").ok);
  CHECK_FALSE(f.silent(2, 0, 100));
  CHECK(f.silent(2, 0, 700));
  CHECK_FALSE(f.silent(2, 0, 1200));
}

TEST_CASE("drop and delay are bounded; bad commands say why") {
  auto f = ten();
  CHECK(f.apply("drop 5").ok);
  CHECK(f.dropped(4));
  CHECK_FALSE(f.dropped(5));
  CHECK(f.apply("delay 150").ok);
  CHECK(f.delay_ms() == 150);
  CHECK(f.apply("drop 101").error == "usage: drop 0..100");
  CHECK(f.apply("stop 10").error.find("no host '10'") == 0);
  CHECK(f.apply("stop 1 wifi").error.find("network 'wifi'") == 0);
  CHECK(f.apply("explode").error.find("unknown command 'explode'") == 0);
  CHECK(f.apply("switch 1.5 mgmt").error.find("usage: switch") == 0);
}
