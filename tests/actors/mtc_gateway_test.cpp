// hbs-agent in starlingx mode under an emulated mtcAgent and mtcalarmd, in simulated time:
// READY until inventory, commands become inventory and role, heartbeat events and alarms
// leave in StarlingX's layouts, only the active agent sets, bad commands are counted.
#include <doctest/doctest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "messages/mtc_message.hpp"
#include "tests/support/agent_fixture.hpp"
#include "tests/support/stock_daemons.hpp"

using namespace hbs;
using namespace std::chrono_literals;
using test::clstr_addr;
using test::host_name;
using test::mgmt_addr;
using wire::mtc_command;

namespace {

constexpr int num_workers = 4;
const std::string mtc_ip = "127.0.0.9"; // "controller", the floating address

struct sent_event {
  uint32_t code;
  std::string host;
  uint32_t network;
};

struct stx_fixture : test::caf_fixture {
  test::sim_network simnet;
  controller_actor ctrl;
  std::vector<std::unique_ptr<responder>> responders;
  std::shared_ptr<test::sim_socket> mtc_agent = simnet.bind(mtc_ip, 2107);
  std::shared_ptr<test::sim_socket> alarmd = simnet.bind("127.0.0.1", 2122);
  std::vector<sent_event> got;          // every event mtcAgent received, in order
  std::vector<nlohmann::json> alarms;   // every request mtcalarmd received

  stx_fixture() {
    cfg::agent_config c;
    c.controller = "controller-0";
    c.mode = cfg::agent_mode::starlingx;
    c.starlingx.mtc_address = mtc_ip;
    c.networks = {test::net(0, "127.0.0.1"), test::net(1, "127.0.0.2")};
    controller_setup s;
    s.config = c;
    s.sockets = {simnet.bind("127.0.0.1", 2103), simnet.bind("127.0.0.2", 2113)};
    s.mtc_socket = simnet.bind("127.0.0.1", 2104);
    s.mtc_alarm_socket = simnet.bind("127.0.0.1", 40000);
    s.wall_ms = sim_wall_ms();
    for (int i = 0; i < num_workers; ++i)
      for (uint8_t n : {0, 1}) {
        auto addr = n == 0 ? mgmt_addr(i) : clstr_addr(i);
        auto nc = test::net(n, addr);
        responders.push_back(test::start_responder(
          responder_setup{nc, host_name(i), true, simnet.bind(addr, nc.client_port), nullptr}));
      }
    ctrl = sys.spawn(controller_fn, s);
    run();
  }

  ~stx_fixture() {
    caf::anon_send_exit(ctrl, caf::exit_reason::user_shutdown);
    run();
  }

  void command(mtc_command c, const std::string& host, const std::string& mgmt = "",
               const std::string& clstr = "", const std::string& from = mtc_ip) {
    std::array<uint8_t, wire::mtc_message_size> b{};
    wire::encode_mtc_command({c, host, mgmt, clstr, wire::node_worker}, {b.data(), b.size()});
    send_raw(b.data(), b.size(), from);
  }

  void send_raw(const uint8_t* data, size_t size, const std::string& from = mtc_ip) {
    auto sock = simnet.bind(from, 5555);
    outgoing o{parse_ipv4("127.0.0.1"), 0, 2104, static_cast<uint16_t>(size), data};
    sock->send(&o, 1);
    run();
  }

  void advance_and_collect(caf::timespan t) {
    advance(t);
    std::array<datagram, 64> rx;
    while (size_t n = mtc_agent->receive(rx.data(), rx.size()))
      for (size_t i = 0; i < n; ++i)
        got.push_back({wire::load_u32(rx[i].data.data() + 72),
                       reinterpret_cast<const char*>(rx[i].data.data() + 18),
                       wire::load_u32(rx[i].data.data() + 80)});
    while (size_t n = alarmd->receive(rx.data(), rx.size()))
      for (size_t i = 0; i < n; ++i)
        alarms.push_back(nlohmann::json::parse(
          std::string(reinterpret_cast<const char*>(rx[i].data.data()), rx[i].size)));
  }

  size_t count(wire::mtc_event e, const std::string& host = "", int net = -1) {
    size_t n = 0;
    for (auto& g : got)
      n += g.code == static_cast<uint32_t>(e) && (host.empty() || g.host == host)
           && (net < 0 || g.network == static_cast<uint32_t>(net));
    return n;
  }

  std::string role() { return to_string(ask<agent_role>(ctrl, role_atom_v)); }

  void inventory() {
    command(mtc_command::add_host, "controller-0", "127.0.0.1", "127.0.0.2");
    for (int i = 0; i < num_workers; ++i) {
      command(mtc_command::add_host, host_name(i), mgmt_addr(i), clstr_addr(i));
      command(mtc_command::start_host, host_name(i));
    }
  }
};

} // namespace

TEST_CASE_FIXTURE(stx_fixture, "in starlingx mode the agent sends READY every 5 s until "
                               "mtcAgent's inventory arrives, and stays inactive") {
  advance_and_collect(11s);
  CHECK(count(wire::mtc_event::ready, "controller-0") == 3); // at 0, 5 and 10 s
  CHECK(role() == "inactive"); // no hold-off, no config role: only ACTIVE_CTRL decides
  inventory();
  advance_and_collect(10s);
  CHECK(count(wire::mtc_event::ready) == 3);
  CHECK(role() == "inactive");
  CHECK(ask<std::vector<host_status>>(ctrl, hosts_atom_v).size() == num_workers + 1);
}

TEST_CASE_FIXTURE(stx_fixture, "an agent made active by ACTIVE_CTRL reports a dead host to "
                               "mtcAgent as MINOR, DEGRADE and LOSS and to mtcalarmd") {
  inventory();
  command(mtc_command::active_ctrl, "controller-0");
  advance_and_collect(2s);
  REQUIRE(role() == "active");
  CHECK(count(wire::mtc_event::minor_clear, "worker-1", 0) == 1); // START clears, per network
  CHECK(count(wire::mtc_event::degrade_clear, "worker-1", 1) == 1);
  got.clear();
  test::silence(*responders[2]); // worker-1 on both networks
  test::silence(*responders[3]);
  advance_and_collect(2s);
  CHECK(count(wire::mtc_event::minor_set, "worker-1", 0) == 1);
  CHECK(count(wire::mtc_event::minor_set, "worker-1", 1) == 0); // never for cluster-host
  CHECK(count(wire::mtc_event::degrade_set, "worker-1", 0) == 1);
  CHECK(count(wire::mtc_event::degrade_set, "worker-1", 1) == 1);
  CHECK(count(wire::mtc_event::loss, "worker-1", 0) == 1);
  CHECK(count(wire::mtc_event::loss, "worker-1", 1) == 1);
  CHECK(got.size() == 5); // nobody else, and no verdict of the agent's own
  REQUIRE(alarms.size() == 4); // major then critical on each network
  std::vector<std::string> seen;
  for (auto& r : alarms) {
    auto& a = r["mtcalarm"][0];
    CHECK(a["hostname"] == "worker-1");
    CHECK(a["operation"] == "set");
    CHECK(a["prefix"] == "network=");
    CHECK(a["entity"] == (a["alarmid"] == "200.005" ? "Management" : "Cluster-host"));
    seen.push_back(a["alarmid"].get<std::string>() + " " + a["severity"].get<std::string>());
  }
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<std::string>{"200.005 critical", "200.005 major",
                                         "200.009 critical", "200.009 major"});
  got.clear();
  for (int i : {2, 3}) // it answers again
    responders[i] = test::start_responder(responders[i]->setup());
  advance_and_collect(3s);
  CHECK(count(wire::mtc_event::degrade_clear, "worker-1") == 2);
  CHECK(count(wire::mtc_event::minor_clear, "worker-1", 0) == 1);
  CHECK(alarms.back()["mtcalarm"][0]["operation"] == "clear");
  auto mnfa = ask<mnfa_view>(ctrl, mnfa_atom_v);
  CHECK(mnfa.state == "idle"); // MNFA is mtcAgent's in this mode
  CHECK(mnfa.tally == std::vector<uint32_t>(mnfa.tally.size(), 0));
}

TEST_CASE_FIXTURE(stx_fixture, "an inactive agent in starlingx mode sends no set event and "
                               "no alarm, only clears") {
  inventory();
  command(mtc_command::active_ctrl, "controller-1");
  advance_and_collect(2s);
  REQUIRE(role() == "inactive");
  got.clear();
  test::silence(*responders[0]);
  advance_and_collect(2s);
  CHECK(got.empty());
  CHECK(alarms.empty());
}

TEST_CASE_FIXTURE(stx_fixture, "BACKOFF and RECOVER from mtcAgent set the period x4 and back") {
  inventory();
  command(mtc_command::backoff_hbs, "");
  advance_and_collect(500ms);
  CHECK(ask<agent_status>(ctrl, status_atom_v).networks.front().period_ms == 400);
  command(mtc_command::recover_hbs, "");
  advance_and_collect(500ms);
  CHECK(ask<agent_status>(ctrl, status_atom_v).networks.front().period_ms == 100);
}

TEST_CASE_FIXTURE(stx_fixture, "malformed commands and commands from elsewhere are counted "
                               "and never applied") {
  std::array<uint8_t, 200> junk{};
  send_raw(junk.data(), 50);
  send_raw(junk.data(), junk.size());
  command(mtc_command::add_host, "worker-0", "127.0.1.1", "", "127.0.0.77"); // a stranger
  command(mtc_command::add_host, "bad name", "127.0.1.1");
  advance_and_collect(100ms);
  auto st = ask<agent_status>(ctrl, status_atom_v);
  REQUIRE(st.mtc.enabled);
  auto rejected = [&](wire::mtc_error e) { return st.mtc.num_rejected.at(size_t(e)); };
  CHECK(rejected(wire::mtc_error::short_message) == 1);
  CHECK(rejected(wire::mtc_error::bad_header) == 1);
  CHECK(rejected(wire::mtc_error::not_allowed) == 1);
  CHECK(rejected(wire::mtc_error::no_host_name) == 1);
  CHECK(st.mtc.num_commands == 0);
  CHECK(st.num_hosts == 0);
  CHECK_FALSE(st.mtc.inventory); // READY goes on
}

TEST_CASE_FIXTURE(stx_fixture, "a stock client's stall recovery reaches mtcAgent as "
                               "HOST_STALLED, from the inactive agent too") {
  test::stock_client stock{simnet, "127.0.1.50", 2106, "worker-9"};
  inventory();
  command(mtc_command::add_host, "worker-9", "127.0.1.50");
  command(mtc_command::start_host, "worker-9");
  command(mtc_command::active_ctrl, "controller-1"); // not gated by activity (§1.2 c)
  advance_and_collect(1s);
  CHECK(count(wire::mtc_event::host_stalled) == 0);
  stock.extra_flags = wire::stall_mon_flag; // monitoring: a warning only
  advance_and_collect(1s);
  CHECK(count(wire::mtc_event::host_stalled) == 0);
  stock.extra_flags = wire::stall_mon_flag | wire::stall_rec_flag;
  advance_and_collect(1s);
  CHECK(count(wire::mtc_event::host_stalled, "worker-9") == 1); // once per change
  auto ev = ask<std::vector<event>>(ctrl, events_atom_v, 100u);
  CHECK(std::count_if(ev.begin(), ev.end(), [](auto& e) { return e.kind == "host_stalled"; })
        == 1);
}

TEST_CASE_FIXTURE(stx_fixture, "mtcAgent's ACTIVE_CTRL reminder overrides an hbsctl activate "
                               "made in between, and changes nothing when roles agree") {
  inventory();
  command(mtc_command::active_ctrl, "controller-0");
  advance_and_collect(1s);
  REQUIRE(role() == "active");
  auto epoch = ask<agent_status>(ctrl, status_atom_v).epoch;
  command(mtc_command::active_ctrl, "controller-0"); // the reminder
  advance_and_collect(1s);
  CHECK(ask<agent_status>(ctrl, status_atom_v).epoch == epoch); // no new designation
  ask<std::string>(ctrl, activate_atom_v, std::string{"controller-1"}); // an operator
  run();
  REQUIRE(role() == "inactive");
  command(mtc_command::active_ctrl, "controller-0");
  advance_and_collect(1s);
  CHECK(role() == "active"); // mtcAgent is the authority in this mode
}

TEST_CASE_FIXTURE(stx_fixture, "mtcAgent's MOD moves a host to its new address and keeps it "
                               "monitored; a repeated ADD changes nothing") {
  inventory();
  command(mtc_command::active_ctrl, "controller-0");
  advance_and_collect(2s);
  REQUIRE(role() == "active");
  // worker-1 re-addressed on management: the old address goes silent, the new one answers.
  const std::string moved = "127.0.1.50";
  auto nc = test::net(0, moved);
  responders.push_back(test::start_responder(
    responder_setup{nc, host_name(1), true, simnet.bind(moved, nc.client_port), nullptr}));
  test::silence(*responders[2]);
  command(mtc_command::mod_host, host_name(1), moved, clstr_addr(1));
  got.clear();
  advance_and_collect(3s);
  auto h = ask<host_status>(ctrl, host_atom_v, host_name(1));
  CHECK(h.management == moved);
  CHECK(h.cluster_host == clstr_addr(1));
  CHECK(h.started);
  REQUIRE(h.networks.size() == 2);
  CHECK(h.networks[0].state == "ok");
  CHECK(h.networks[0].num_pulses > 20);
  CHECK(count(wire::mtc_event::minor_set) == 0); // no miss on either address
  CHECK(count(wire::mtc_event::loss) == 0);
  // The same inventory again, as mtcAgent pushes it after an agent restart: nothing moves.
  auto pulses = h.networks[1].num_pulses;
  command(mtc_command::add_host, host_name(1), moved, clstr_addr(1));
  advance_and_collect(1s);
  auto again = ask<host_status>(ctrl, host_atom_v, host_name(1));
  CHECK(again.networks[1].num_pulses > pulses); // the same actor counting on, no respawn
  CHECK(got.empty());
}

TEST_CASE_FIXTURE(stx_fixture, "mtcAgent's inventory pushed again stamps nothing; an operator's "
                               "restated start is stamped") {
  inventory();
  advance_and_collect(1s);
  auto& cs = *state_of<controller_state>(ctrl).control;
  auto generation = cs.generation();
  REQUIRE(generation > 0);                  // the first push was taken as changes
  inventory();                              // mtcAgent's READY reply after an agent restart
  advance_and_collect(1s);
  CHECK(cs.generation() == generation);     // no write, no sync for a restated inventory
  command(mtc_command::stop_host, host_name(1));
  advance_and_collect(1s);
  CHECK(cs.generation() > generation);      // a real stop is a change
  generation = cs.generation();
  command(mtc_command::stop_host, host_name(1)); // and restated, not
  advance_and_collect(1s);
  CHECK(cs.generation() == generation);
  CHECK(ask<std::string>(ctrl, start_atom_v, host_name(0)) == host_name(0) + " restarted");
  CHECK(cs.generation() > generation);      // hbsctl's word may outrank the peer's
}
