// hbs-sim: simulates many hosts answering the agents' pulses, with injected faults.
#include <csignal>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <fmt/format.h>

#include "actors/sim.hpp"
#include "runtime/credential.hpp"
#include "runtime/io_loop.hpp"
#include "runtime/log.hpp"
#include "runtime/scheduling.hpp"
#include "runtime/system_config.hpp"
#include "runtime/udp_socket.hpp"

namespace {

struct options {
  uint32_t hosts = 100;
  int networks = 1;
  std::string mode = "multicast";
  std::string base_mgmt = "127.1.0.1", base_clstr = "127.2.0.1";
  std::string group = "239.1.1.2", interface_address = "127.0.0.1";
  uint16_t client_port = 2106, agent_port = 2103, clstr_client_port = 2116,
           clstr_agent_port = 2113, control_port = 0, mirror_port = 0;
  std::string prefix = "sim-", scenario;
  int scheduling_priority = 0;
  bool print_inventory = false;
  std::string pulse_auth = "off", pulse_key;
};

// "SECONDS COMMAND" per line; '#' starts a comment. Returns false with a message.
bool read_scenario(const std::string& path, std::vector<std::pair<double, std::string>>& out,
                   std::string& error) {
  std::ifstream in{path};
  if (!in) {
    error = path + ": cannot read the scenario file";
    return false;
  }
  std::string line;
  for (int no = 1; std::getline(in, line); ++no) {
    if (auto hash = line.find('#'); hash != std::string::npos)
      line.erase(hash);
    if (line.find_first_not_of(" \t") == std::string::npos)
      continue;
    char* end = nullptr;
    double at = std::strtod(line.c_str(), &end);
    if (end == line.c_str() || at < 0) {
      error = fmt::format("{}:{}: expected 'SECONDS COMMAND', got '{}'", path, no, line);
      return false;
    }
    std::string cmd{end};
    cmd.erase(0, cmd.find_first_not_of(" \t"));
    out.emplace_back(at, cmd);
  }
  return true;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"hbs-sim: simulates many hosts answering hbs-agent pulses, with faults"};
  app.add_option("--hosts", o.hosts, "simulated hosts")->check(CLI::Range(1, 60000))
    ->capture_default_str();
  app.add_option("--networks", o.networks, "1: management, 2: and cluster-host")
    ->check(CLI::Range(1, 2))->capture_default_str();
  app.add_option("--mode", o.mode, "how the agents send requests")
    ->check(CLI::IsMember({"multicast", "unicast"}))->capture_default_str();
  app.add_option("--base-mgmt", o.base_mgmt, "first host's management address (127.x only)")
    ->capture_default_str();
  app.add_option("--base-clstr", o.base_clstr, "first host's cluster-host address")
    ->capture_default_str();
  app.add_option("--group", o.group, "multicast group")->capture_default_str();
  app.add_option("--interface", o.interface_address, "multicast interface address (loopback)")
    ->capture_default_str();
  app.add_option("--client-port", o.client_port)->capture_default_str();
  app.add_option("--agent-port", o.agent_port)->capture_default_str();
  app.add_option("--clstr-client-port", o.clstr_client_port)->capture_default_str();
  app.add_option("--clstr-agent-port", o.clstr_agent_port)->capture_default_str();
  app.add_option("--control-port", o.control_port, "UDP port on 127.0.0.1 for fault commands "
                 "(0: none)")->capture_default_str();
  app.add_option("--scenario", o.scenario, "file of 'SECONDS COMMAND' lines");
  app.add_option("--prefix", o.prefix, "host name prefix")->capture_default_str();
  app.add_option("--scheduling-priority", o.scheduling_priority,
                 "SCHED_RR priority 1..99 (0: normal): simulated hosts stand for other "
                 "machines, which a CPU hog on this one would not slow down")
    ->check(CLI::Range(0, 99))->capture_default_str();
  app.add_option("--mirror-port", o.mirror_port, "also send a copy of every answer to "
                 "127.0.0.1:PORT, cluster-host's to PORT+1 (the bench's kernel floor reads the "
                 "same datagrams there, one socket per network as the agent); "
                 "on from the start, 'mirror off' / 'mirror on' on the control port switch it; "
                 "while on, a second actor answers the cluster-host network");
  app.add_flag("--print-inventory", o.print_inventory, "print the [[hosts]] TOML and exit");
  app.add_option("--pulse-auth", o.pulse_auth, "off | accept | require (as the agent's "
                 "[pulse_auth] mode): sign every response with --pulse-key")
    ->check(CLI::IsMember({"off", "accept", "require"}))->capture_default_str();
  app.add_option("--pulse-key", o.pulse_key, "the cluster's pulse key file (hex)");
  app.footer("Fault commands (control port or scenario): stop HOSTS [mgmt|clstr|all], resume "
             "HOSTS [NET], flap HOSTS NET MS, switch FRACTION NET, drop PERCENT, delay MS, "
             "heal; and mirror on|off (--mirror-port's copies). HOSTS: all | N | N-M | name.\n"
             "Each command is echoed on stdout as one JSON "
             "line with its wall-clock time. Exit status: 0 stopped, 1 socket error, 2 usage.");
  CLI11_PARSE(app, argc, argv);
  uint32_t base[2] = {hbs::parse_ipv4(o.base_mgmt), hbs::parse_ipv4(o.base_clstr)};
  for (int n = 0; n < o.networks; ++n)
    if ((base[n] >> 24) != 127 || ((base[n] + o.hosts - 1) >> 24) != 127) {
      std::cerr << "hbs-sim: host addresses must stay inside 127.0.0.0/8\n";
      return 2;
    }
  std::vector<std::string> names;
  for (uint32_t i = 0; i < o.hosts; ++i)
    names.push_back(o.prefix + std::to_string(i));
  if (o.print_inventory) {
    for (uint32_t i = 0; i < o.hosts; ++i) {
      std::cout << "[[hosts]]\nname = \"" << names[i] << "\"\ntype = \"worker\"\nmanagement = \""
                << hbs::format_ipv4(base[0] + i) << "\"\n";
      if (o.networks > 1)
        std::cout << "cluster-host = \"" << hbs::format_ipv4(base[1] + i) << "\"\n";
    }
    return 0;
  }
  std::vector<std::pair<double, std::string>> scenario;
  std::string err;
  if (!o.scenario.empty() && !read_scenario(o.scenario, scenario, err)) {
    std::cerr << "hbs-sim: " << err << '\n';
    return 2;
  }
  hbs::log::init("hbs-sim", hbs::log::level::info, true);
  hbs::block_daemon_signals();
  if (!hbs::use_realtime_scheduling(o.scheduling_priority, err))
    hbs::log::warn("main", "{}", err);
  hbs::io_loop loop;
  hbs::sim_setup setup;
  setup.names = names;
  setup.base = {base[0], base[1]};
  setup.mirror_port = o.mirror_port;
  setup.mirror = o.mirror_port != 0;
  for (int n = 0; n < o.networks; ++n) {
    hbs::cfg::network_config net;
    net.index = static_cast<uint8_t>(n);
    net.local_address = o.interface_address;
    net.multicast_group = o.group;
    net.mode = o.mode == "unicast" ? hbs::cfg::net_mode::unicast : hbs::cfg::net_mode::multicast;
    net.client_port = n == 0 ? o.client_port : o.clstr_client_port;
    net.agent_port = n == 0 ? o.agent_port : o.clstr_agent_port;
    auto sock = hbs::open_sim_socket(loop, net, err);
    if (!sock) {
      hbs::log::error("main", "{}", err);
      return 1;
    }
    setup.nets.push_back(net);
    setup.sockets.push_back(sock);
  }
  if (o.control_port && !(setup.control = hbs::open_local_socket(loop, "127.0.0.1",
                                                                  o.control_port, err))) {
    hbs::log::error("main", "control socket: {}", err);
    return 1;
  }
  hbs::cfg::pulse_auth_config auth;
  hbs::wire::parse_auth_mode(o.pulse_auth, auth.mode);
  auth.key_file = o.pulse_key;
  setup.auth = hbs::load_pulse_gate(auth, err);
  if (auth.mode != hbs::wire::auth_mode::off && !setup.auth) {
    hbs::log::error("main", "{}", err);
    return 2;
  }
  caf::actor_system_config cfg;
  hbs::configure(cfg, false);
  caf::actor_system sys{cfg};
  loop.start();
  // A helper answers network 1 while the floor's copies are on (see sim.hpp).
  std::optional<hbs::sim_actor> helper;
  if (o.networks > 1 && o.mirror_port != 0) {
    auto s = setup;
    s.serve = setup.mirror ? std::vector<uint8_t>{1} : std::vector<uint8_t>{};
    s.control = nullptr;
    s.echo = false;
    helper = sys.spawn(hbs::sim_fn, std::move(s));
  }
  for (int n = 0; n < o.networks; ++n)
    if (n == 0 || !helper || !setup.mirror)
      setup.serve.push_back(static_cast<uint8_t>(n));
  setup.helper = helper;
  auto sim = sys.spawn(hbs::sim_fn, std::move(setup));
  for (auto& [at, cmd] : scenario)
    caf::delayed_anon_send(sim, std::chrono::milliseconds{static_cast<int64_t>(at * 1000)},
                           hbs::control_atom_v, cmd);
  hbs::log::info("main", "ready: {} hosts on {} network(s), {} mode{}", o.hosts, o.networks,
                 o.mode, o.control_port ? fmt::format(", control on 127.0.0.1:{}",
                                                      o.control_port) : "");
  while (true) {
    int sig = hbs::wait_for_signal(1000);
    if (sig == SIGINT || sig == SIGTERM)
      break;
  }
  caf::anon_send_exit(sim, caf::exit_reason::user_shutdown);
  if (helper)
    caf::anon_send_exit(*helper, caf::exit_reason::user_shutdown);
  loop.stop();
  return 0;
}
