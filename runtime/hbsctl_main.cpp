// hbsctl: inspect a running hbs-agent and send it commands, over CAF on the agent's local
// control socket. Commands that change state carry the control credential.
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/interfaces.hpp"
#include "config/config.hpp"
#include "config/starlingx_files.hpp"
#include "runtime/control_socket.hpp"
#include "runtime/credential.hpp"
#include "runtime/ctl_format.hpp"
#include "runtime/sm_query.hpp"
#include "runtime/system_config.hpp"

namespace {

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;      // the agent refused the command (unknown host, ...)
constexpr int exit_usage = 2;       // bad command line
constexpr int exit_unreachable = 3; // no agent answered

struct options {
  std::string socket = "/run/hbs/agent.sock";
  std::string token_file = "/var/lib/hbs/control.token";
  std::string config;
  bool json = false;
  int timeout_s = 5;
  std::string name, type = "worker", mgmt, clstr;
  uint32_t count = 20;
  std::string sm_address = "127.0.0.1";
  uint16_t sm_port = 2124, sm_reply_port = 2224;
  uint32_t reqid = 123;
  bool follow = false;
  int follow_s = 0; // 0: until interrupted
  uint32_t period_ms = 0, minor = 0, degrade = 0, loss = 0; // tune: 0 keeps the current
};

caf::expected<hbs::control_actor> reach(caf::actor_system& sys, const options& o) {
  auto ctrl = hbs::connect_control_socket(sys, o.socket, std::chrono::seconds{o.timeout_s});
  if (!ctrl)
    std::cerr << "hbsctl: cannot reach hbs-agent at " << o.socket << " ("
              << sys.render(ctrl.error()) << ")\n";
  return ctrl;
}

// Connects, sends one request, waits for its answer and shows it.
template <class T, class Show, class... Ts>
int ask(caf::actor_system& sys, const options& o, Show show, Ts... xs) {
  auto ctrl = reach(sys, o);
  if (!ctrl)
    return exit_unreachable;
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

// Prints a reply as JSON with --json, else as the table its renderer makes.
template <class T>
auto shown(const options& o, std::string (*render)(const T&)) {
  return [&o, render](T& x) {
    std::cout << (o.json ? hbs::ctl::to_json(x).dump(2) + "\n" : render(x));
  };
}

// Prints events as they come: polls the agent's ring every 200 ms and prints what is new
// (the ring keeps the last 1000; the agent's events.jsonl keeps everything).
int follow_events(caf::actor_system& sys, const options& o) {
  auto ctrl = reach(sys, o);
  if (!ctrl)
    return exit_unreachable;
  std::pair<int64_t, size_t> seen{-1, 0}; // newest time printed, and how many at that time
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds{o.follow_s};
  bool first = true;
  for (;;) {
    int rc = exit_ok;
    caf::scoped_actor self{sys}; // one per request: each answered request's timeout message
                                 // would stay in a long-lived one's mailbox (CAF 0.17)
    self->request(*ctrl, std::chrono::seconds{o.timeout_s}, hbs::events_atom_v,
                  first ? o.count : 1000u)
      .receive([&](std::vector<hbs::event>& v) {
                 std::vector<hbs::event> fresh;
                 size_t at_newest = 0;
                 for (auto& e : v) {
                   if (e.time_ms < seen.first)
                     continue;
                   if (e.time_ms == seen.first && at_newest++ < seen.second)
                     continue;
                   fresh.push_back(e);
                 }
                 for (auto& e : fresh) {
                   if (e.time_ms != seen.first)
                     seen = {e.time_ms, 0};
                   ++seen.second;
                 }
                 if (!fresh.empty())
                   std::cout << (o.json ? hbs::ctl::to_json(fresh).dump() + "\n"
                                        : hbs::ctl::render_events(fresh)) << std::flush;
               },
               [&](caf::error& e) {
                 std::cerr << "hbsctl: " << sys.render(e) << '\n';
                 rc = exit_unreachable;
               });
    if (rc != exit_ok)
      return rc;
    first = false;
    if (o.follow_s > 0 && std::chrono::steady_clock::now() >= until)
      return exit_ok;
    std::this_thread::sleep_for(std::chrono::milliseconds{200});
  }
}

// A command that changes state: the credential first (exit 3 without it), then the request.
template <class Atom, class... Ts>
int command(caf::actor_system& sys, const options& o, Atom atom, Ts... xs) {
  hbs::credential c;
  std::string err;
  if (!hbs::read_token(o.token_file, c.token, err)) {
    std::cerr << "hbsctl: " << err << " (commands that change state need it: run as root, "
                                      "or see control_token in the agent's configuration)\n";
    return exit_unreachable;
  }
  return ask<std::string>(sys, o, [](std::string& s) { std::cout << s << '\n'; }, atom, c,
                          xs...);
}

} // namespace

int main(int argc, char** argv) {
  options o;
  CLI::App app{"hbsctl: inspect and command a running hbs-agent"};
  app.add_option("--socket", o.socket, "the agent's control socket")->capture_default_str();
  app.add_option("--token-file", o.token_file, "the control credential (commands that change "
                                               "state)")->capture_default_str();
  app.add_option("-c,--config", o.config, "read control_socket, control_token and the SM "
                                          "ports from this agent config");
  app.add_flag("--json", o.json, "print JSON instead of tables (read commands)");
  app.add_option("--timeout", o.timeout_s, "seconds to wait for the agent")->capture_default_str()
    ->check(CLI::Range(1, 300));
  app.require_subcommand(1);
  app.fallthrough(); // global options may follow the command: hbsctl hosts --json
  app.footer("hbsctl reaches the agent on its local control socket (root, the agent's user "
             "and its control group). Commands that change state also need the control "
             "credential (--token-file, root only by default).\nExit status: 0 success, 1 the "
             "agent refused the command (e.g. unknown host, wrong credential), 2 bad command "
             "line, 3 agent unreachable, not answering, or no credential.");
  auto* status = app.add_subcommand("status", "agent role, networks and drop counters");
  auto* hosts = app.add_subcommand("hosts", "per host x network state table");
  auto* host = app.add_subcommand("host", "one host: state, b2b, max, misses, pulses, age");
  host->add_option("name", o.name, "host name")->required();
  auto* events = app.add_subcommand("events", "newest heartbeat events");
  events->add_option("count", o.count, "how many")->capture_default_str();
  events->add_flag("-f,--follow", o.follow, "keep printing new events (Ctrl-C stops)");
  events->add_option("--for", o.follow_s, "with --follow: stop after this many seconds")
    ->check(CLI::Range(1, 86400));
  auto* dump = app.add_subcommand("dump", "full state dump (also written to the agent's log)");
  auto* period = app.add_subcommand("period", "current heartbeat period and back-off");
  auto* backoff = app.add_subcommand("backoff", "back the period off x4 on both agents");
  auto* recover = app.add_subcommand("recover", "restore the configured period on both agents");
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
  auto* vault = app.add_subcommand("vault", "cluster history: both controllers x networks");
  auto* peer = app.add_subcommand("peer", "link to the other controller's agent");
  auto* role = app.add_subcommand("role", "active or inactive");
  auto* activate = app.add_subcommand("activate", "make NAME the active controller (both "
                                                  "agents follow)");
  activate->add_option("name", o.name, "controller name")->required();
  auto* alarms = app.add_subcommand("alarms", "heartbeat alarms (200.005, 200.009, 200.006)");
  auto* mnfa = app.add_subcommand("mnfa", "multi-node failure avoidance: state, tally, pool");
  auto* tune = app.add_subcommand("tune", "change period and thresholds on both agents "
                                          "(persisted; what is not given stays)");
  tune->add_option("--period", o.period_ms, "period in ms, 100..1000")
    ->check(CLI::Range(100, 1000));
  tune->add_option("--minor", o.minor, "minor threshold (misses)")->check(CLI::Range(1, 10000));
  tune->add_option("--degrade", o.degrade, "degrade threshold")->check(CLI::Range(1, 10000));
  tune->add_option("--loss", o.loss, "loss threshold")->check(CLI::Range(2, 10000));
  tune->require_option(1, 0); // a tune stating nothing would restate every value in force
  auto* action = app.add_subcommand("action", "set the failure action on both agents");
  action->add_option("name", o.name, "fail | degrade | alarm | none")->required()
    ->check(CLI::IsMember({"fail", "degrade", "alarm", "none"}));
  auto* lock = app.add_subcommand("lock", "lock this controller: no requests, history zeroed");
  auto* unlock = app.add_subcommand("unlock", "unlock this controller");
  auto* smq = app.add_subcommand("sm-query", "query the vault as SM does (UDP on loopback) and "
                                             "read it the way SM reads it");
  smq->add_option("reqid", o.reqid, "request id 1..65535")->capture_default_str()
    ->check(CLI::Range(1, 65535));
  smq->add_option("--sm-address", o.sm_address, "SM address of the agent")
    ->capture_default_str();
  smq->add_option("--sm-port", o.sm_port, "agent's SM request port")->capture_default_str();
  smq->add_option("--sm-reply-port", o.sm_reply_port, "port the reply comes back to (SM's)")
    ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }
  if (!o.config.empty()) {
    auto c = hbs::cfg::load_agent_config_and_files(o.config);
    if (!c.ok()) {
      for (auto& p : c.problems)
        std::cerr << "hbsctl: config error: " << p << '\n';
      return exit_usage;
    }
    if (app.count("--socket") == 0) // given on the command line: that wins
      o.socket = c.config.control_socket;
    if (app.count("--token-file") == 0)
      o.token_file = c.config.control_token;
    o.sm_address = c.config.sm.address;
    o.sm_port = c.config.sm.server_port;
    o.sm_reply_port = c.config.sm.client_port;
  }
  if (*smq) {
    auto r = hbs::sm_query(o.sm_address, o.sm_port, o.sm_reply_port,
                           static_cast<uint16_t>(o.reqid), o.timeout_s * 1000);
    if (!r.ok) {
      std::cerr << "hbsctl: " << r.error << '\n';
      return exit_unreachable;
    }
    std::cout << (o.json ? hbs::ctl::sm_reading_json(r.vault).dump(2) + "\n"
                         : hbs::ctl::render_sm_reading(r.vault));
    return exit_ok;
  }
  caf::actor_system_config cfg;
  hbs::configure(cfg, true);
  caf::actor_system sys{cfg};
  using namespace hbs;
  if (*status)
    return ask<agent_status>(sys, o, shown<agent_status>(o, &ctl::render), status_atom_v);
  if (*hosts)
    return ask<std::vector<host_status>>(
      sys, o, shown<std::vector<host_status>>(o, &ctl::render_hosts), hosts_atom_v);
  if (*host)
    return ask<host_status>(sys, o, shown<host_status>(o, &ctl::render_host), host_atom_v, o.name);
  if (*events && o.follow)
    return follow_events(sys, o);
  if (*dump)
    return ask<std::string>(sys, o, [&](std::string& d) {
      std::cout << (o.json ? nlohmann::json{{"dump", d}}.dump(2) + "\n" : d);
    }, dump_atom_v);
  if (*backoff || *recover)
    return command(sys, o, backoff_atom_v, static_cast<bool>(*backoff));
  if (*period)
    return ask<std::string>(sys, o, [&](std::string& r) {
      std::cout << (o.json ? nlohmann::json{{"period", r}}.dump(2) : r) << '\n';
    }, period_atom_v);

  if (*events)
    return ask<std::vector<event>>(
      sys, o, shown<std::vector<event>>(o, &ctl::render_events), events_atom_v, o.count);
  if (*vault)
    return ask<vault_view>(sys, o, shown<vault_view>(o, &ctl::render_vault), vault_atom_v);
  if (*peer)
    return ask<peer_status>(sys, o, shown<peer_status>(o, &ctl::render_peer), peer_atom_v);
  if (*role)
    return ask<agent_role>(sys, o, [&](agent_role r) {
      std::cout << (o.json ? nlohmann::json{{"role", to_string(r)}}.dump(2) : to_string(r))
                << '\n';
    }, role_atom_v);
  if (*alarms)
    return ask<std::vector<alarm_view>>(
      sys, o, shown<std::vector<alarm_view>>(o, &ctl::render_alarms), alarms_atom_v);
  if (*mnfa)
    return ask<mnfa_view>(sys, o, shown<mnfa_view>(o, &ctl::render_mnfa), mnfa_atom_v);
  if (*action) {
    cfg::failure_action a{};
    cfg::parse_failure_action(o.name, a); // CLI11 checked the name
    return command(sys, o, action_atom_v, a);
  }
  if (*tune) // 0: the agent keeps its current value
    return command(sys, o, tune_atom_v,
                            tuning{o.period_ms, o.minor, o.degrade, o.loss});
  if (*activate)
    return command(sys, o, activate_atom_v, o.name);
  if (*lock || *unlock)
    return command(sys, o, lock_atom_v, static_cast<bool>(*lock));
  if (*add) {
    cfg::host_type t{};
    cfg::parse_host_type(o.type, t); // CLI11 checked the name
    return command(sys, o, add_atom_v, o.name, t, o.mgmt, o.clstr);
  }
  if (*del)
    return command(sys, o, del_atom_v, o.name);
  if (*start)
    return command(sys, o, start_atom_v, o.name);
  if (*stop)
    return command(sys, o, stop_atom_v, o.name);
  return exit_usage;
}
