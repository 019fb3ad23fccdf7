#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include "config/config.hpp"
#include "config/starlingx_files.hpp"

using namespace hbs::cfg;

namespace {

struct files {
  std::string dir;
  files() {
    char t[] = "/tmp/hbs-stx.XXXXXX";
    dir = mkdtemp(t);
  }
  ~files() {
    for (auto f : {"agent.toml", "mtc.conf", "mtc.ini", "platform.conf"})
      std::remove((dir + "/" + f).c_str());
    rmdir(dir.c_str());
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream{dir + "/" + name} << text;
  }
  // A starlingx-mode agent file naming these files, plus extra TOML lines in [agent].
  loaded<agent_config> load(const std::string& agent_extra = "") {
    write("agent.toml", "[agent]\ncontroller = \"controller-0\"\nmode = \"starlingx\"\n"
                        + agent_extra + "\n[starlingx]\nmtc_address = \"192.168.204.1\"\n"
                        "mtc_conf = \"" + dir + "/mtc.conf\"\nmtc_ini = \"" + dir + "/mtc.ini\"\n"
                        "platform_conf = \"" + dir + "/platform.conf\"\n"
                        "[networks.management]\nlocal_address = \"192.168.204.2\"\n"
                        "[networks.cluster-host]\nlocal_address = \"192.168.206.2\"\n");
    return load_agent_config_and_files(dir + "/agent.toml");
  }
};

bool has(const std::vector<std::string>& v, const std::string& part) {
  return std::any_of(v.begin(), v.end(),
                     [&](auto& s) { return s.find(part) != std::string::npos; });
}

const char* mtc_conf = R"(; mtc.conf as shipped
[agent]
hbs_minor_threshold = 3
scheduling_priority = 2
mtc_to_hbs_cmd_port = 2104
hbs_to_mtc_event_port = 2107
hbs_agent_mgmnt_port = 2103
hbs_agent_clstr_port = 2113
hbs_client_mgmnt_port = 2106
hbs_client_clstr_port = 2116
mtcalarm_req_port = 2122
[client]
scheduling_priority = 45
)";

const char* mtc_ini = R"([agent]
heartbeat_period = 1000
heartbeat_failure_action = degrade
heartbeat_degrade_threshold = 7
heartbeat_failure_threshold = 12
multicast = 239.1.1.9
mtc_to_hbs_cmd_port = 3104
sm_server_port = 2124
sm_client_port = 2224
)";

} // namespace

TEST_CASE("in starlingx mode StarlingX's files fill what the TOML leaves unset") {
  files f;
  f.write("mtc.conf", mtc_conf);
  f.write("mtc.ini", mtc_ini);
  f.write("platform.conf", "system_type=All-in-one\nmanagement_interface=enp0s8\n");
  auto r = f.load();
  REQUIRE(r.problems.empty());
  auto& c = r.config;
  CHECK(c.period_ms == 1000);
  CHECK(c.limits.minor == 3);
  CHECK(c.limits.degrade == 7);
  CHECK(c.limits.loss == 12);
  CHECK(c.action == failure_action::degrade);
  CHECK(c.scheduling_priority == 2); // [agent]'s, not the client's 45
  CHECK(c.starlingx.command_port == 3104); // mtc.ini over mtc.conf
  CHECK(c.starlingx.event_port == 2107);
  CHECK(c.network(cluster_host)->agent_port == 2113);
  CHECK(c.network(management)->multicast_group == "239.1.1.9");
  CHECK(c.network(cluster_host)->multicast_group == "239.1.1.9");
  CHECK_FALSE(c.standard_system);
  CHECK(has(r.notes, "agent.period_ms = 1000 from " + f.dir + "/mtc.ini heartbeat_period"));
}

TEST_CASE("the TOML wins over StarlingX's files, key by key") {
  files f;
  f.write("mtc.ini", mtc_ini);
  auto r = f.load("period_ms = 200\nfailure_action = \"alarm\"");
  REQUIRE(r.problems.empty());
  CHECK(r.config.period_ms == 200);
  CHECK(r.config.action == failure_action::alarm);
  CHECK(r.config.limits.loss == 12); // not in the TOML: the file's
  CHECK(has(r.notes, "agent.period_ms from the TOML"));
  CHECK(has(r.notes, "mtc.conf: not found, not read"));
}

TEST_CASE("StarlingX's files are read as hbsAgent reads them, and bad values are problems") {
  files f;
  f.write("mtc.ini", "[agent]\nheartbeat_period = 50\nheartbeat_failure_action = sometimes\n");
  auto r = f.load();
  REQUIRE(r.problems.empty());
  CHECK(r.config.period_ms == 100);                  // out of range: forced to 100
  CHECK(r.config.action == failure_action::fail);    // unknown: fail
  f.write("mtc.ini", "[agent]\nmtcalarm_req_port = 70000\nhbs_minor_threshold = x\n");
  r = f.load();
  CHECK(has(r.problems, f.dir + "/mtc.ini: mtcalarm_req_port = \"70000\": allowed 1..65535"));
  CHECK(has(r.problems, "hbs_minor_threshold = \"x\""));
  f.write("mtc.ini", "[agent\nheartbeat_period = 100\n");
  CHECK(has(f.load().problems, "mtc.ini:1: not an INI line"));
}

TEST_CASE("standalone mode never reads StarlingX's files") {
  files f;
  f.write("mtc.ini", mtc_ini);
  f.write("agent.toml", "[agent]\ncontroller = \"controller-0\"\n[networks.management]\n"
                        "local_address = \"192.168.204.2\"\n");
  auto r = load_agent_config_and_files(f.dir + "/agent.toml");
  REQUIRE(r.ok());
  CHECK(r.config.period_ms == 100);
  CHECK(r.notes.empty());
}
