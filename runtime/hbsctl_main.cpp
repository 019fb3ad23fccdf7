// hbsctl: inspect a running hbs-agent and send it inventory commands, over CAF on loopback.
#include <iostream>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/interfaces.hpp"
#include "config/config.hpp"
#include "runtime/ctl_format.hpp"
#include "runtime/system_config.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;      // the agent refused the command (unknown host, ...)
constexpr int exit_usage = 2;       // bad command line
constexpr int exit_unreachable = 3; // no agent answered

struct options {
  std::string address = "127.0.0.1";
  uint16_t port = 2150;
  std::string config;
  bool json = false;
  int timeout_s = 5;
  std::string name, type = "worker", mgmt, clstr;
  uint32_t count = 20;
};

// Connects, sends one request, waits for its answer and shows it.
template <class T, class Show, class... Ts>
int ask(caf::actor_system& sys, const options& o, Show show, Ts... xs) {
  auto ctrl = sys.middleman().remote_actor<hbs::controller_actor>(o.address, o.port);
  if (!ctrl) {
    std::cerr << "hbsctl: cannot reach hbs-agent at " << o.address << ":" << o.port << " ("
              << sys.render(ctrl.error()) << ")\n";
    return exit_unreachable;
  }
  caf::scoped_actor self{sys};
  int rc = exit_ok;
  self->request(*ctrl, std::chrono::seconds{o.timeout_s}, xs...)
    .receive([&](T& x) { show(x); },
             [&](caf::error& e) {
               std::cerr << "hbsctl: " << sys.render(e) << '\n';
               rc = e == caf::sec::request_timeout ? exit_unreachable : exit_failed;
             });
  return rc;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"hbsctl: inspect and command a running hbs-agent"};
  app.add_option("--address", o.address, "agent control address")->capture_default_str();
  app.add_option("--port", o.port, "agent control port")->capture_default_str();
  app.add_option("-c,--config", o.config, "read control_address/control_port from this "
                                          "agent config");
  app.add_flag("--json", o.json, "print JSON instead of tables (read commands)");
  app.add_option("--timeout", o.timeout_s, "seconds to wait for the agent")->capture_default_str()
    ->check(CLI::Range(1, 300));
  app.require_subcommand(1);
  app.fallthrough(); // global options may follow the command: hbsctl hosts --json
  app.footer("Exit status: 0 success, 1 the agent refused the command (e.g. unknown host), "
             "2 bad command line, 3 agent unreachable or not answering.");
  auto* status = app.add_subcommand("status", "agent role, networks and drop counters");
  auto* hosts = app.add_subcommand("hosts", "per host x network state table");
  auto* host = app.add_subcommand("host", "one host: state, b2b, max, misses, pulses, age");
  host->add_option("name", o.name, "host name")->required();
  auto* events = app.add_subcommand("events", "newest heartbeat events");
  events->add_option("count", o.count, "how many")->capture_default_str();
  auto* add = app.add_subcommand("add", "add a host to the inventory (not started)");
  add->add_option("name", o.name)->required();
  add->add_option("type", o.type, "controller | worker | storage")->required()
    ->check(CLI::IsMember({"controller", "worker", "storage"}));
  add->add_option("management", o.mgmt, "management IPv4 address")->required();
  add->add_option("cluster-host", o.clstr, "cluster-host IPv4 address");
  auto* del = app.add_subcommand("del", "delete a host from the inventory");
  del->add_option("name", o.name)->required();
  auto* start = app.add_subcommand("start", "start (or restart) heartbeating a host");
  start->add_option("name", o.name)->required();
  auto* stop = app.add_subcommand("stop", "stop heartbeating a host");
  stop->add_option("name", o.name)->required();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }
  if (!o.config.empty()) {
    auto c = hbs::cfg::load_agent_config(o.config);
    if (!c.ok()) {
      for (auto& p : c.problems)
        std::cerr << "hbsctl: config error: " << p << '\n';
      return exit_usage;
    }
    o.address = c.config.control_address;
    o.port = c.config.control_port;
  }
  caf::actor_system_config cfg;
  hbs::configure(cfg, true);
  caf::actor_system sys{cfg};
  auto text = [&](std::string& s) { std::cout << s << '\n'; };
  using namespace hbs;
  if (*status)
    return ask<agent_status>(sys, o, [&](agent_status& s) {
      std::cout << (o.json ? ctl::to_json(s).dump(2) + "\n" : ctl::render(s));
    }, status_atom_v);
  if (*hosts)
    return ask<std::vector<host_status>>(sys, o, [&](std::vector<host_status>& v) {
      std::cout << (o.json ? ctl::to_json(v).dump(2) + "\n" : ctl::render_hosts(v));
    }, hosts_atom_v);
  if (*host)
    return ask<host_status>(sys, o, [&](host_status& h) {
      std::cout << (o.json ? ctl::to_json(h).dump(2) + "\n" : ctl::render_host(h));
    }, host_atom_v, o.name);
  if (*events)
    return ask<std::vector<event>>(sys, o, [&](std::vector<event>& v) {
      std::cout << (o.json ? ctl::to_json(v).dump(2) + "\n" : ctl::render_events(v));
    }, events_atom_v, o.count);
  if (*add)
    return ask<std::string>(sys, o, text, add_atom_v, o.name, o.type, o.mgmt, o.clstr);
  if (*del)
    return ask<std::string>(sys, o, text, del_atom_v, o.name);
  if (*start)
    return ask<std::string>(sys, o, text, start_atom_v, o.name);
  if (*stop)
    return ask<std::string>(sys, o, text, stop_atom_v, o.name);
  return exit_usage;
}
