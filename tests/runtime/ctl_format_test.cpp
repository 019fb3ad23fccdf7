#include <doctest/doctest.h>

#include <algorithm>

#include "runtime/ctl_format.hpp"

using namespace hbs;

namespace {

host_status worker(const std::string& name) {
  host_status h;
  h.name = name;
  h.type = "worker";
  h.management = "10.0.1.5";
  h.started = true;
  return h;
}

host_status heartbeated(const std::string& name) {
  auto h = worker(name);
  net_status n;
  n.network = 0;
  n.monitored = true;
  n.state = "ok";
  h.networks = {n};
  return h;
}

host_status eclipsed(const std::string& name) {
  auto h = worker(name);
  h.eclipsed = "its management address 10.0.1.5 is held by worker-5, whose membership is newer";
  return h;
}

size_t lines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

} // namespace

TEST_CASE("hbsctl hosts lists an eclipsed host as eclipsed, with why, not as unmonitored") {
  auto out = ctl::render_hosts({heartbeated("worker-5"), eclipsed("worker-50")});
  CHECK(lines(out) == 3); // header, worker-5's network, worker-50
  CHECK(out.find("worker-50            worker     -             eclipsed    (its management "
                 "address 10.0.1.5 is held by worker-5") != std::string::npos);
  CHECK(out.find("unmonitored") == std::string::npos);
}

TEST_CASE("hbsctl host of an eclipsed host says it is not heartbeated and what to do") {
  auto out = ctl::render_host(eclipsed("worker-50"));
  CHECK(out.find("worker-50 (worker) management 10.0.1.5 cluster-host - started\n") == 0);
  CHECK(out.find("ECLIPSED, not heartbeated nor counted: its management address 10.0.1.5 is "
                 "held by worker-5") != std::string::npos);
  CHECK(out.find("hbsctl del") != std::string::npos);
  CHECK(ctl::render_host(heartbeated("worker-5")).find("ECLIPSED") == std::string::npos);
}

TEST_CASE("the state dump names an eclipsed host even among quiet rows") {
  auto out = ctl::render_node_table({heartbeated("worker-5"), eclipsed("worker-50")}, false);
  CHECK(out.find("worker-50            -             eclipsed    (its management") !=
        std::string::npos);
  CHECK(out.find("(1 more host/network rows") != std::string::npos); // worker-5's quiet row
}

TEST_CASE("the JSON of a host says whether it is eclipsed") {
  CHECK(ctl::to_json(eclipsed("worker-50"))["eclipsed"].get<std::string>().find("worker-5")
        != std::string::npos);
  CHECK(ctl::to_json(heartbeated("worker-5"))["eclipsed"] == "");
}

TEST_CASE("hbsctl status says how many hosts are eclipsed, and nothing when none is") {
  agent_status s;
  s.controller = "controller-0";
  s.num_hosts = 9;
  s.num_eclipsed = 1;
  CHECK(ctl::render(s).find("1 ECLIPSED host(s): in the inventory, not heartbeated")
        != std::string::npos);
  CHECK(ctl::to_json(s)["num_eclipsed"] == 1);
  s.num_eclipsed = 0;
  CHECK(ctl::render(s).find("ECLIPSED") == std::string::npos);
}
