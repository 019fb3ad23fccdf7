#include <doctest/doctest.h>

#include <algorithm>

#include <fmt/format.h>

#include "config/config.hpp"

using namespace hbs::cfg;

namespace {

const char* good_agent = R"(
[agent]
controller = "controller-0"
state_dir = "/tmp/hbs"

[networks.management]
local_address = "192.168.204.2"

[networks.cluster-host]
local_address = "192.168.206.2"

[[hosts]]
name = "controller-1"
type = "controller"
management = "192.168.204.3"
cluster-host = "192.168.206.3"

[[hosts]]
name = "worker-0"
type = "worker"
management = "192.168.204.10"
)";

bool has(const std::vector<std::string>& pr, const std::string& text) {
  return std::any_of(pr.begin(), pr.end(),
                     [&](auto& p) { return p.find(text) != std::string::npos; });
}

std::string with(std::string base, const std::string& from, const std::string& to) {
  auto at = base.find(from);
  REQUIRE(at != std::string::npos);
  return base.replace(at, from.size(), to);
}

} // namespace

TEST_CASE("a minimal agent config takes the StarlingX defaults") {
  auto r = parse_agent_config(good_agent, "good.toml");
  REQUIRE(r.problems == std::vector<std::string>{});
  auto& c = r.config;
  CHECK(c.period_ms == 100);
  CHECK(c.limits.minor == 4);
  CHECK(c.limits.degrade == 6);
  CHECK(c.limits.loss == 10);
  REQUIRE(c.networks.size() == 2);
  CHECK(c.networks[0].multicast_group == "239.1.1.2");
  CHECK(c.networks[0].client_port == 2106);
  CHECK(c.networks[0].agent_port == 2103);
  CHECK(c.networks[1].client_port == 2116);
  CHECK(c.networks[1].agent_port == 2113);
  CHECK(c.controller_number() == 0);
  CHECK(c.hosts.size() == 2);
  CHECK(c.hosts[0].type == host_type::controller);
  CHECK(c.hosts[1].cluster_host.empty());
}

TEST_CASE("each bad key is reported with its value and what is allowed") {
  auto pr = [](const std::string& text) { return parse_agent_config(text, "t.toml").problems; };
  CHECK(has(pr(with(good_agent, "[agent]", "[agent]\ncolour = 1")), "agent.colour: unknown key"));
  CHECK(has(pr(with(good_agent, "[agent]", "[agent]\nperiod_ms = 50")),
            "agent.period_ms = 50: out of range, allowed 100..1000"));
  CHECK(has(pr(with(good_agent, "[agent]", "[agent]\nperiod_ms = \"fast\"")),
            "agent.period_ms = 'fast': wrong type, expected an integer"));
  CHECK(has(pr(with(good_agent, "controller = \"controller-0\"", "")),
            "agent.controller: missing required key"));
  CHECK(has(pr(with(good_agent, "type = \"worker\"", "type = \"compute\"")),
            "hosts[1].type = \"compute\": allowed \"controller\" | \"worker\" | \"storage\""));
  CHECK(has(pr(with(good_agent, "[networks.management]",
                    "[networks.management]\nclient_port = 70000")),
            "networks.management.client_port = 70000: out of range, allowed 1..65535"));
  CHECK(has(pr(with(good_agent, "[networks.management]",
                    "[networks.management]\nmulticast_group = \"10.0.0.1\"")),
            "multicast_group = \"10.0.0.1\": allowed an IPv4 multicast"));
  CHECK(has(pr("[agent]\ncontroller = \"c\"\n"), "networks.management: missing required table"));
  CHECK(has(pr("[agent\n"), "t.toml:1:"));
}

TEST_CASE("thresholds must keep minor <= degrade < loss") {
  auto pr = [](const std::string& t) {
    return parse_agent_config(with(good_agent, "[networks.management]", t), "t").problems;
  };
  CHECK(has(pr("[thresholds]\nminor = 7\n[networks.management]"),
            "thresholds.minor = 7: greater than degrade (6)"));
  CHECK(has(pr("[thresholds]\ndegrade = 10\n[networks.management]"),
            "thresholds.degrade = 10: not below loss (10)"));
  CHECK(pr("[thresholds]\nminor = 6\ndegrade = 6\nloss = 7\n[networks.management]").empty());
}

TEST_CASE("duplicate host names and addresses are refused") {
  auto text = with(good_agent, "name = \"worker-0\"", "name = \"controller-1\"");
  auto pr = parse_agent_config(text, "t").problems;
  CHECK(has(pr, "hosts[1].name = \"controller-1\": duplicate host name (also hosts[0])"));
  text = with(good_agent, "\"192.168.204.10\"", "\"192.168.204.3\"");
  pr = parse_agent_config(text, "t").problems;
  CHECK(has(pr, "hosts[1].management = \"192.168.204.3\": duplicate address (also hosts[0])"));
  text = with(good_agent, "\"192.168.204.10\"", "\"192.168.204\"");
  CHECK(has(parse_agent_config(text, "t").problems, "not an IPv4 address"));
}

TEST_CASE("a client config needs its host name and a management network") {
  auto r = parse_client_config("[client]\nhost = \"worker-0\"\n[networks.management]\n"
                               "local_address = \"127.0.1.1\"\nmode = \"unicast\"\n",
                               "c.toml");
  REQUIRE(r.ok());
  CHECK(r.config.networks[0].mode == net_mode::unicast);
  CHECK(r.config.pmon_port == 2109); // pmond's, as the stock client: a dead pmond shows
  CHECK(r.config.amon_port == 2202); // and its active monitor, answered to 2200
  CHECK(r.config.amon_reply_port == 2200);
  CHECK(r.config.amon_name == "hbs-client");
  CHECK(r.config.pid_file.empty());
  CHECK(r.config.mtc_address.empty());
  auto bad = parse_client_config("[client]\n[networks.management]\nlocal_address = \"x\"\n", "c");
  CHECK(has(bad.problems, "client.host: missing required key"));
  bad = parse_client_config(
    "[client]\nhost = \"w\"\n[networks.management]\nlocal_address = \"x\"\n", "c");
  CHECK(has(bad.problems, "networks.management.local_address = \"x\": not an IPv4 address"));
}

TEST_CASE("a host without pmond answers neither of its doors unless told") {
  std::string base = "[client]\nhost = \"worker-0\"\n{}\n[networks.management]\n"
                     "local_address = \"127.0.1.1\"\nmode = \"unicast\"\n";
  auto r = parse_client_config(fmt::format(base, "pmon_port = 0"), "c");
  REQUIRE(r.ok());
  CHECK(r.config.amon_port == 0);
  r = parse_client_config(fmt::format(base, "pmon_port = 0\namon_port = 2302"), "c");
  REQUIRE(r.ok());
  CHECK(r.config.amon_port == 2302);
  auto pr = parse_client_config(fmt::format(base, "amon_name = \"hbs client\""), "c").problems;
  CHECK(has(pr, "client.amon_name = \"hbs client\": must be 1..79 printable ASCII"));
  pr = parse_client_config(fmt::format(base, "amon_reply_port = 0"), "c").problems;
  CHECK(has(pr, "client.amon_reply_port = 0: out of range, allowed 1..65535"));
  pr = parse_client_config(fmt::format(base, "amon_port = 2200"), "c").problems;
  CHECK(has(pr, "client.amon_reply_port = 2200: the same as amon_port"));
  pr = parse_client_config(fmt::format(base, "amon_port = 2109"), "c").problems;
  CHECK(has(pr, "client.amon_port = 2109: the same as pmon_port"));
}

TEST_CASE("a missing file is one clear problem") {
  auto r = load_agent_config("/nonexistent/agent.toml");
  REQUIRE(r.problems.size() == 1);
  CHECK(has(r.problems, "/nonexistent/agent.toml: cannot read the configuration file"));
}

TEST_CASE("log categories are named from the allowed set") {
  auto ok = parse_agent_config(with(good_agent, "[agent]", "[agent]\nlog_categories = [\"clog\", "
                                                          "\"mlog\"]"), "t");
  REQUIRE(ok.ok());
  CHECK(ok.config.log_categories == std::vector<std::string>{"clog", "mlog"});
  auto bad = parse_agent_config(with(good_agent, "[agent]", "[agent]\nlog_categories = "
                                                           "[\"clog9\"]"), "t");
  CHECK(has(bad.problems, "agent.log_categories = ['clog9']: allowed \"clog\", \"clog1\""));
}

TEST_CASE("real-time scheduling defaults to StarlingX's priorities and refuses nonsense") {
  auto agent = parse_agent_config(good_agent, "t.toml");
  REQUIRE(agent.ok());
  CHECK(agent.config.scheduling_priority == 1);
  CHECK(has(parse_agent_config(with(good_agent, "[agent]", "[agent]\nscheduling_priority = 100"),
                               "t.toml").problems,
            "agent.scheduling_priority = 100: out of range, allowed 0..99"));
  auto off = parse_agent_config(with(good_agent, "[agent]", "[agent]\nscheduling_priority = 0"),
                                "t.toml");
  REQUIRE(off.ok());
  CHECK(off.config.scheduling_priority == 0);
}

// Inputs from fuzz/config_load's findings; fuzz/corpus/config_load/regress-* holds them too.

TEST_CASE("table headers that break toml++ 3.3's own preconditions are parse problems") {
  // "[\x7f" trips an assertion in a debug toml++ (marzer/tomlplusplus#301); the packaged
  // library must report it, and the odd date-time, like any syntax error or wrong type.
  auto del = parse_agent_config(std::string{"[\x7f", 2}, "t.toml");
  REQUIRE(del.problems.size() == 1);
  CHECK(has(del.problems, "t.toml:1:2: Error while parsing key"));
  auto stamp = parse_agent_config("[min]\nrole =1979-05-27T\"aio\"07:32:00Z ", "t.toml");
  CHECK(has(stamp.problems, "t.toml:2:18: Error while parsing time: expected 2-digit hour"));
  CHECK_FALSE(parse_client_config(std::string{"[\x7f", 2}, "t.toml").ok());
}

TEST_CASE("non-ASCII text outside a comment is refused before toml++ reads it") {
  // toml++ 3.3 reaches __builtin_unreachable() classifying U+03A2 in a table header, and
  // any of U+00A1..U+0499 in a quoted key or after a line-ending backslash.
  auto header = parse_agent_config("[\xce\xa2rrr\xa2\x02\xa2\x02]\n", "t.toml");
  REQUIRE(header.problems.size() == 1);
  CHECK(header.problems[0] == "t.toml:1:2: non-ASCII text outside a comment (allowed in "
                              "comments only)");
  CHECK(has(parse_agent_config("\"\xc3\xa9\" = 1\n", "t").problems, "t:1:2: non-ASCII"));
  CHECK(has(parse_agent_config("[agent]\nlog_dir = \"\"\"\\\n  \xc2\xa7\"\"\"\n", "t").problems,
            "t:3:3: non-ASCII"));
  // Comments stay free text: the example configs cite "reference \xc2\xa7" (U+00A7).
  auto commented =
    with(good_agent, "[agent]", "# \xc2\xa7 \"quoted # \xc3\xa9\n[agent] # \xc3\xa9");
  CHECK(parse_agent_config(commented, "t").ok());
  CHECK(parse_agent_config("\xef\xbb\xbf" + std::string{good_agent}, "t").ok()); // a BOM
  auto in_string = with(good_agent, "state_dir = \"/tmp/hbs\"", "state_dir = \"/tmp/h\xc3\xa9\"");
  CHECK(has(parse_agent_config(in_string, "t").problems, "non-ASCII text outside a comment"));
}

TEST_CASE("a problem quoting a line break or control character stays one line") {
  // toml++ quotes the text it choked on, newline included ("expected 'nan', saw 'n\n'").
  auto nan = parse_agent_config("h=n\n", "t.toml");
  REQUIRE(nan.problems.size() == 1);
  CHECK(nan.problems[0].find('\n') == std::string::npos);
  CHECK(has(nan.problems, "saw 'n\\n'"));
  auto name = with(good_agent, "name = \"worker-0\"", "name = \"worker-0\\nhosts[9]: forged\"");
  auto pr = parse_agent_config(name, "t").problems;
  CHECK(has(pr, "hosts[1].name = \"worker-0\\nhosts[9]: forged\": allowed 1..63"));
  for (auto& p : pr)
    CHECK(p.find('\n') == std::string::npos);
}

TEST_CASE("an address with a NUL after a valid dotted quad is not an IPv4 address") {
  // inet_pton stops at the NUL a TOML "\u0000" puts in the string; the config would name
  // one address and the socket use another. (fuzz/config_load's address invariant.)
  auto text = with(good_agent, "\"192.168.204.2\"", "\"192.168.204.2\\u0000x\"");
  CHECK(has(parse_agent_config(text, "t").problems,
            "networks.management.local_address = \"192.168.204.2\\x00x\": not an IPv4"));
  CHECK_FALSE(is_ipv4(std::string_view{"127.0.0.1\0", 10}));
  CHECK(is_ipv4("127.0.0.1"));
}

TEST_CASE("a host with an empty management address is refused") {
  // Every host is on the management network; an empty address left it silently unmonitored.
  // (fuzz/config_load's address invariant.)
  auto text = with(good_agent, "\"192.168.204.10\"", "\"\"");
  CHECK(has(parse_agent_config(text, "t").problems,
            "hosts[1].management = \"\": not an IPv4 address"));
  CHECK(parse_agent_config(good_agent, "t").ok()); // hosts[1] has no cluster-host: fine
}

TEST_CASE("a peer at this controller's own address, or a host holding it, is refused") {
  auto text = with(good_agent, "[networks.management]",
                   "[peer]\naddress = \"192.168.204.2\"\n[networks.management]");
  CHECK(has(parse_agent_config(text, "t").problems,
            "peer address 192.168.204.2: this controller's own management address"));
  text = with(good_agent, "\"192.168.204.10\"", "\"192.168.204.2\"");
  CHECK(has(parse_agent_config(text, "t").problems,
            "hosts[1] (worker-0) has this controller's own management address 192.168.204.2"));
  // This controller listed with its own address is fine: it never heartbeats itself.
  text = with(good_agent, "name = \"worker-0\"\ntype = \"worker\"",
              "name = \"controller-0\"\ntype = \"controller\"");
  text = with(text, "\"192.168.204.10\"", "\"192.168.204.2\"");
  CHECK(parse_agent_config(text, "t").problems.empty());
}

TEST_CASE("a second peer path needs a first one and a cluster-host network") {
  auto text = with(good_agent, "[networks.management]",
                   "[peer]\ncluster_address = \"192.168.206.3\"\n[networks.management]");
  CHECK(has(parse_agent_config(text, "t").problems, "needs peer.address as the first"));
  text = with(good_agent, "[networks.management]",
              "[peer]\naddress = \"192.168.204.3\"\ncluster_address = \"192.168.206.3\"\n"
              "[networks.management]");
  CHECK(parse_agent_config(text, "t").problems.empty());
}

TEST_CASE("run-time tuning is checked like the file") {
  CHECK(check_tuning(100, {4, 6, 10}).empty());
  CHECK(check_tuning(1000, {1, 1, 2}).empty());
  CHECK(check_tuning(0, {4, 6, 10}) == "agent.period_ms = 0: out of range, allowed 100..1000");
  CHECK(check_tuning(1001, {4, 6, 10}).find("out of range") != std::string::npos);
  CHECK(check_tuning(100, {7, 6, 10}).find("greater than degrade") != std::string::npos);
  CHECK(check_tuning(100, {4, 10, 10}).find("not below loss") != std::string::npos);
  CHECK(check_tuning(100, {0, 6, 10}).find("out of range") != std::string::npos);
  CHECK(check_tuning(100, {4, 6, 10001}).find("out of range") != std::string::npos);
}

TEST_CASE("a reload takes from the file only what was edited since it was last read") {
  agent_config was;
  agent_config now = was;
  auto none = edits(was, now);
  CHECK_FALSE(none.tuning());
  CHECK_FALSE(none.action);
  now.limits.loss = 12;
  auto loss = edits(was, now);
  CHECK(loss.tuning());
  CHECK(loss.period_ms == 0); // hbsctl's period, if any, stays in force
  CHECK(loss.minor == 0);
  CHECK(loss.degrade == 0);
  CHECK(loss.loss == 12);
  CHECK_FALSE(loss.action);
  now.period_ms = 200;
  now.action = failure_action::degrade;
  auto more = edits(was, now);
  CHECK(more.period_ms == 200);
  CHECK(more.loss == 12);
  CHECK(more.action);
}

TEST_CASE("pulse authentication is off by default and, when on, needs an absolute key file") {
  auto r = parse_agent_config(good_agent, "t");
  CHECK(r.config.pulse_auth.mode == hbs::wire::auth_mode::off);
  auto text = std::string{good_agent} + "\n[pulse_auth]\nmode = \"require\"\n"
              "key_file = \"/etc/hbs/pulse.key\"\nmax_skew_ms = 2000\n";
  r = parse_agent_config(text, "t");
  REQUIRE(r.problems.empty());
  CHECK(r.config.pulse_auth.mode == hbs::wire::auth_mode::require);
  CHECK(r.config.pulse_auth.max_skew_ms == 2000);
  CHECK(has(parse_agent_config(with(text, "\"require\"", "\"strict\""), "t").problems,
            "pulse_auth.mode"));
  CHECK(has(parse_agent_config(with(text, "\"/etc/hbs/pulse.key\"", "\"pulse.key\""), "t")
              .problems,
            "an absolute path is needed when pulse_auth.mode = \"require\""));
  CHECK(has(parse_agent_config(with(text, "2000", "50"), "t").problems,
            "pulse_auth.max_skew_ms"));
  auto client = "[client]\nhost = \"worker-0\"\n[networks.management]\n"
                "local_address = \"192.168.204.10\"\n[pulse_auth]\nmode = \"accept\"\n"
                "key_file = \"\"\n";
  CHECK(has(parse_client_config(client, "t").problems, "an absolute path is needed"));
}
