// The agent's logs at StarlingX's level (issue 14 §3, reference §8): audits, loss dumps and
// history views, read through a log observer on simulated time.
#include <doctest/doctest.h>

#include "runtime/log.hpp"
#include "tests/support/agent_fixture.hpp"
#include "tests/support/log_lines.hpp"

using namespace hbs;
using namespace hbs::test;
using namespace std::chrono_literals;

TEST_CASE_FIXTURE(agent_fixture, "the first audit comes 30 s after start, with the configuration, "
                                 "the node table and the vault") {
  log_lines logs;
  advance(29s);
  CHECK(logs.count("state dump (audit)") == 0);
  advance(2s);
  CHECK(logs.count("state dump (audit)") == 1);
  CHECK(logs.count("config: period 100 ms, thresholds minor 4 degrade 6 loss 10") == 1);
  CHECK(logs.count("config: management unicast 127.0.0.1") == 1);
  CHECK(logs.count("MAXB2B") == 1);
  CHECK(logs.count("(100 more host/network rows: ok or unmonitored") == 1); // not 100 lines
  CHECK(logs.count("Cluster Vault : C0 Mgmnt") == 1);
  CHECK(logs.count("controller-0 view from controller-0 dump Mgmnt:") == 1);
}

TEST_CASE_FIXTURE(agent_fixture, "a loss logs the host's counts and forced history views") {
  log_lines logs;
  advance(3s);
  auto victim = parse_ipv4(mgmt_addr(4));
  simnet.drop = [=](uint32_t from, uint32_t, uint16_t) { return from == victim; };
  advance(1500ms);
  CHECK(logs.count("worker-4 Mgmnt counts: misses 1") == 1);
  CHECK(logs.count("minor 1, degrade 1, failures 1") == 1);
  CHECK(logs.count("Cluster Vault : C0 Mgmnt") >= 1);
  CHECK(logs.count("view from controller-0 event Mgmnt:") >= 1);
  auto hosts = ask<std::vector<host_status>>(ctrl, hosts_atom_v);
  for (auto& h : hosts)
    if (h.name == host_name(4)) {
      CHECK(h.networks[0].num_loss == 1);
      CHECK(h.networks[0].num_degrade == 1);
      CHECK(h.networks[1].num_loss == 0);
    }
}

TEST_CASE_FIXTURE(agent_fixture, "with clog1 a history's view is logged when it changes, not "
                                 "every period") {
  log_lines logs;
  log::set_categories({"clog1"});
  advance(4s); // every history full (20 periods) and steady
  logs.clear();
  advance(2s);
  CHECK(logs.count("view from controller-0 vault Mgmnt") == 0); // steady: nothing new
  auto victim = parse_ipv4(mgmt_addr(7));
  simnet.drop = [=](uint32_t from, uint32_t, uint16_t) { return from == victim; };
  advance(300ms);
  auto changing = logs.count("view from controller-0 vault Mgmnt");
  CHECK(changing >= 2); // a new entry each period while one host is missing
  advance(1s);
  CHECK(logs.count("cluster change:") >= 1); // the reasons pushed to SM, at info
}
