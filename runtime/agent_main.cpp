// hbs-agent: the controller-side heartbeat daemon.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>

#include <caf/actor_system.hpp>
#include <fmt/format.h>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/control_gateway.hpp"
#include "actors/controller.hpp"
#include "actors/peer_gateway.hpp"
#include "config/starlingx_files.hpp"
#include "runtime/atomic_file.hpp"
#include "runtime/control_socket.hpp"
#include "runtime/credential.hpp"
#include "runtime/daemon.hpp"
#include "runtime/io_loop.hpp"
#include "runtime/journal.hpp"
#include "runtime/log.hpp"
#include "runtime/metrics.hpp"
#include "runtime/scheduling.hpp"
#include "runtime/service.hpp"
#include "runtime/system_config.hpp"
#include "runtime/tls.hpp"
#include "runtime/udp_socket.hpp"
#include "runtime/watchdog.hpp"

namespace {

bool make_dir(const std::string& path) {
  std::string partial;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || (path[i] == '/' && i > 0)) {
      partial = path.substr(0, i);
      if (mkdir(partial.c_str(), 0750) != 0 && errno != EEXIST)
        return false;
    }
  }
  return true;
}

// SIGHUP: re-read the file; what was edited in it since it was last read (each of period,
// thresholds, failure action) is taken as a run-time change of both agents, validated by the
// agent; log settings apply here. An invalid file changes nothing and says why.
void reload(caf::actor_system& sys, const hbs::controller_actor& ctrl,
            const std::string& path, hbs::cfg::agent_config& running) {
  auto fresh = hbs::cfg::load_agent_config_and_files(path);
  if (!fresh.ok()) {
    for (auto& p : fresh.problems)
      hbs::log::error("main", "SIGHUP: config error, nothing reloaded: {}", p);
    return;
  }
  auto& c = fresh.config;
  hbs::log::level lvl = hbs::log::level::info;
  if (hbs::log::parse_level(c.log_level, lvl))
    hbs::log::set_level(lvl);
  hbs::log::set_categories(c.log_categories);
  hbs::log::info("main", "SIGHUP: log level {}, categories [{}]", c.log_level,
                 fmt::join(c.log_categories, ", "));
  auto e = hbs::cfg::edits(running, c);
  caf::scoped_actor self{sys};
  self->request(ctrl, std::chrono::seconds{15}, hbs::reload_atom_v,
                hbs::tuning{e.period_ms, e.minor, e.degrade, e.loss}, e.tuning(), c.action,
                e.action)
    .receive(
      [&](std::string& what) {
        hbs::log::info("main", "SIGHUP: {}", what);
        running.period_ms = c.period_ms; // taken: the next SIGHUP compares with this file
        running.limits = c.limits;
        running.action = c.action;
      },
      [&](caf::error& err) { // not taken: the same edits count again at the next SIGHUP
        hbs::log::error("main", "SIGHUP: {}; period, thresholds and failure action not "
                                "reloaded", self->system().render(err));
      });
}

// The control state: the file seeds it, run-time changes kept in control.json win (unless
// --reset-state). A file that cannot be used is set aside and the agent starts from the TOML.
hbs::control_state load_control(const hbs::cfg::agent_config& conf, const std::string& path,
                                bool reset) {
  hbs::control_state cs{conf};
  auto aside = [&](const char* why) {
    auto to = fmt::format("{}.{}-{}", path, why, std::time(nullptr));
    if (std::rename(path.c_str(), to.c_str()) == 0)
      return to;
    return fmt::format("(could not be moved aside: {})", std::strerror(errno));
  };
  if (access(path.c_str(), F_OK) != 0) {
    hbs::log::info("main", "control state: from {} alone (no {} yet)", "the configuration file",
                   path);
    return cs;
  }
  if (reset) {
    hbs::log::warn("main", "control state: --reset-state: the configuration file wins; "
                   "run-time changes set aside in {}", aside("reset"));
    return cs;
  }
  std::string text, err;
  std::vector<std::string> notes;
  if (!hbs::read_file(path, text, err) || !cs.load(text, err, notes)) {
    hbs::log::error("main", "control state {} unusable ({}): kept aside as {}; starting from "
                    "the configuration file: run-time changes (hbsctl, SIGHUP) are lost until "
                    "the peer's state is merged", path, err, aside("corrupt"));
    return hbs::control_state{conf};
  }
  for (auto& n : notes)
    hbs::log::info("main", "control state: {}", n);
  hbs::log::info("main", "control state: {} over the configuration file ({} run-time change(s), "
                 "generation {})", path, notes.size(), cs.generation());
  return cs;
}

} // namespace

int main(int argc, char** argv) {
  hbs::cfg::agent_config conf;
  std::string config_path;
  pid_t stop_with = 0;
  bool reset_state = false;
  // The log directory must exist before logging starts: created from the validated config.
  auto load = [](const std::string& path) {
    auto l = hbs::cfg::load_agent_config_and_files(path);
    if (l.ok() && !l.config.log_dir.empty() && !make_dir(l.config.log_dir))
      l.problems.push_back(l.config.log_dir + ": cannot create the log directory: "
                           + std::strerror(errno));
    return l;
  };
  auto rc = hbs::start_daemon<hbs::cfg::agent_config>(
    argc, argv,
    {"hbs-agent", "hbs-agent: heartbeats every monitored host of the cluster from this controller",
     "/etc/hbs/agent.toml",
     "Exit status: 0 clean stop, 1 runtime failure (socket, state directory, control socket), "
     "2 invalid command line, configuration or a key file it names.\nSignals: SIGTERM/SIGINT "
     "stop, SIGHUP reopens the log and events files and reloads period, thresholds, failure "
     "action and log settings, SIGUSR2 dumps state to the log."},
    +load, conf, config_path, stop_with, &reset_state);
  if (rc >= 0)
    return rc;
  if (hbs::service::stderr_to_journal()) // entries with fields, not only prefixed lines
    hbs::log::set_structured(hbs::journal::sink("hbs-agent"));
  if (!make_dir(conf.state_dir)) {
    hbs::log::error("main", "cannot create state directory {}: {}", conf.state_dir,
                    std::strerror(errno));
    return 1;
  }
  hbs::block_daemon_signals();
  if (std::string err; !hbs::use_realtime_scheduling(conf.scheduling_priority, err))
    hbs::log::warn("main", "{}", err);
  else if (conf.scheduling_priority > 0)
    hbs::log::info("main", "scheduling: SCHED_RR priority {}", conf.scheduling_priority);
  hbs::io_loop loop;
  hbs::controller_setup setup;
  setup.config = conf;
  setup.events_path = conf.state_dir + "/events.jsonl";
  setup.events_max_bytes = static_cast<int64_t>(conf.events_max_mb) << 20;
  setup.events_keep = conf.events_keep;
  if (!conf.hooks.empty()) {
    setup.hooks = std::make_shared<hbs::hook_runner>(conf.hooks);
    for (auto& h : conf.hooks)
      hbs::log::info("main", "hook: {} on {}{}", h.command, fmt::join(h.kinds, ", "),
                     h.only_acted ? " (events this agent acts on)" : "");
  }
  setup.alarms_path = conf.state_dir + "/alarms.json";
  setup.own_threads = true;
  setup.control_path = conf.state_dir + "/control.json";
  {
    std::string err;
    setup.pulse_auth = hbs::load_pulse_gate(conf.pulse_auth, err);
    if (!err.empty()) {
      hbs::log::error("main", "{}", err);
      return 2; // the configuration names a key that cannot serve
    }
  }
  setup.control.emplace(load_control(conf, setup.control_path, reset_state));
  {
    std::string err;
    if (!hbs::read_file(setup.alarms_path, setup.alarms_json, err)) {
      hbs::log::error("main", "{}", err);
      return 1;
    }
  }
  for (auto& net : conf.networks) {
    std::string err;
    auto sock = hbs::open_agent_socket(loop, net, err);
    if (!sock) {
      hbs::log::error("main", "{} network: {}", hbs::cfg::network_key(net.index), err);
      return 1;
    }
    setup.sockets.push_back(sock);
  }
  hbs::watchdog_probe probe{&loop, 2000, {}};
  for (auto& net : conf.networks) {
    setup.progress.push_back(std::make_shared<hbs::beat>());
    probe.work.emplace_back(std::string{hbs::cfg::network_key(net.index)} + " network",
                            setup.progress.back());
  }
  if (conf.sm.enabled) {
    std::string err;
    // A burst (a hostile one: 500 requests at once) is read, not dropped unseen.
    setup.sm_socket = hbs::open_local_socket(loop, conf.sm.address, conf.sm.server_port, err,
                                             true);
    if (!setup.sm_socket) {
      hbs::log::error("main", "SM request socket: {}", err);
      return 1;
    }
  }
  if (conf.under_mtc()) { // mtcAgent's door (reference §2.2): commands on the management address
    std::string err;
    auto& at = conf.networks.front().local_address;
    auto& x = conf.starlingx;
    setup.mtc_socket = hbs::open_local_socket(loop, at, x.command_port, err, true);
    if (setup.mtc_socket)
      setup.mtc_alarm_socket = hbs::open_local_socket(loop, x.alarm_address, 0, err);
    if (!setup.mtc_socket || !setup.mtc_alarm_socket) {
      hbs::log::error("main", "starlingx mode: mtcAgent command socket {}:{}: {}", at,
                      x.command_port, err);
      return 1;
    }
    hbs::log::info("main", "starlingx mode: mtcAgent commands on {}:{}, events to {}:{}, alarms "
                   "to mtcalarmd {}:{}; inventory, role, MNFA and failure action are mtcAgent's",
                   at, x.command_port, x.mtc_address, x.event_port, x.alarm_address,
                   x.alarm_port);
  }
  // The peer link: mutual TLS unless switched off (then said loudly at every start).
  hbs::tls_files tls;
  setup.peer_tls = !conf.peer.address.empty() && conf.peer.tls;
  if (setup.peer_tls) {
    tls = {conf.peer.tls_certificate, conf.peer.tls_ca};
    if (auto p = hbs::check_tls_files(tls, conf.controller); !p.empty()) {
      hbs::log::error("main", "peer TLS: {}", p);
      return 2;
    }
    hbs::tls_expect_peer(conf.peer_name());
  } else if (!conf.peer.address.empty()) {
    hbs::log::warn("main", "peer link IN THE CLEAR (peer.tls = false): anyone who reaches port "
                   "{} can change this agent's state", conf.peer.port);
  }
  caf::actor_system_config cfg;
  auto cpus = hbs::allowed_cpus();
  auto workers = hbs::worker_threads(hbs::default_workers, cpus);
  hbs::log::info("main", "scheduling: {} worker thread(s) ({} CPU(s) allowed)", workers,
                 cpus == 0 ? std::string{"unknown"} : std::to_string(cpus));
  hbs::configure(cfg, true, std::chrono::milliseconds{conf.peer.keepalive_ms}, tls, workers);
  caf::actor_system sys{cfg};
  if (setup.peer_tls && !sys.openssl_manager().authentication_enabled()) {
    hbs::log::error("main", "peer TLS: CAF's OpenSSL module is not authenticating");
    return 1; // never fall back to anonymous TLS
  }
  loop.start();
  std::string token, err;
  if (!hbs::ensure_token(conf.control_token, token, err)) {
    hbs::log::error("main", "{}", err);
    loop.stop();
    return 1;
  }
  bool setup_tls = setup.peer_tls;
  auto ctrl = sys.spawn(hbs::controller_fn, std::move(setup));
  // Only the two gateways are reachable from outside: hbsctl's on the local control socket
  // and the peer's on the peer port (actors/interfaces.hpp).
  auto control = sys.spawn(hbs::control_gateway_fn, ctrl, token);
  auto peer_gw = sys.spawn(hbs::peer_gateway_fn, ctrl, hbs::peer_protocol);
  caf::anon_send(ctrl, hbs::hello_atom_v, peer_gw.address()); // announced when dialing
  auto stop_all = [&] {
    caf::anon_send_exit(ctrl, caf::exit_reason::user_shutdown);
    loop.stop();
  };
  auto ctl_socket = hbs::control_socket::open(sys, loop, conf.control_socket,
                                              conf.control_group, control, err);
  if (!ctl_socket) {
    hbs::log::error("main", "{}", err);
    stop_all();
    return 1;
  }
  std::vector<std::string> peer_at;
  if (!conf.peer.address.empty())
    peer_at.push_back(conf.networks.front().local_address);
  if (!conf.peer.cluster_address.empty())
    peer_at.push_back(conf.network(hbs::cfg::cluster_host)->local_address);
  for (auto& at : peer_at) {
    auto p = setup_tls ? caf::openssl::publish(peer_gw, conf.peer.port, at.c_str(), true)
                       : sys.middleman().publish(peer_gw, conf.peer.port, at.c_str(), true);
    if (!p) {
      hbs::log::error("main", "cannot publish the peer gateway on {}:{}: {}", at,
                      conf.peer.port, sys.render(p.error()));
      stop_all();
      return 1;
    }
  }
  // Metrics are for looking, not for heartbeating: a port already taken is an error in the
  // log, not a reason to leave the cluster unwatched.
  std::unique_ptr<hbs::metrics_endpoint> metrics;
  if (conf.metrics.enabled) {
    std::string merr;
    metrics = hbs::metrics_endpoint::start(sys, ctrl, conf.metrics, merr);
    if (metrics)
      hbs::log::info("main", "metrics: http://{}:{}/metrics", conf.metrics.address,
                     metrics->port());
    else
      hbs::log::error("main", "metrics: {} (heartbeating without them)", merr);
  }
  hbs::log::info("main", "ready: {} control on {}{}", conf.controller, conf.control_socket,
                 peer_at.empty() ? "" : fmt::format(", peer gateway on {} port {}",
                                                    fmt::join(peer_at, " and "),
                                                    conf.peer.port));
  hbs::service::ready(fmt::format("{} heartbeating {} host(s)", conf.controller,
                                  conf.hosts.size()));
  bool locked = false;
  uint64_t num_unfed = 0, ticks = 0;
  for (;;) {
    int sig = hbs::wait_for_signal(1000);
    // A blocking actor per pass: CAF 0.17 delivers a request's timeout even after the answer
    // came, and a scoped actor never reads it again; one kept for the whole run held one
    // such message a second for good (the soak's ~450 kB/h of heap, issue 15 §4).
    caf::scoped_actor self{sys};
    if (sig == SIGINT || sig == SIGTERM) {
      hbs::log::info("main", "{} received, stopping", strsignal(sig));
      break;
    }
    if (hbs::starter_gone(stop_with)) {
      hbs::log::info("main", "process {} (--stop-with) ended: stopping", stop_with);
      break;
    }
    if (sig == SIGUSR2) {
      hbs::log::info("main", "SIGUSR2: state dump");
      self->send(ctrl, hbs::dump_atom_v);
    } else if (sig == SIGHUP) {
      hbs::log::reopen(); // after an outside logrotate
      reload(sys, ctrl, config_path, conf);
    }
    // The watchdog is fed only while the work gets done: the controller answers, the socket
    // loop turns and serves every socket, each network closes its periods.
    bool answers = false;
    self->request(ctrl, std::chrono::milliseconds{500}, hbs::role_atom_v)
      .receive([&](hbs::agent_role) { answers = true; },
               [](caf::error& e) {
                 hbs::log::error("main", "controller not answering: {}", caf::to_string(e));
               });
    if (answers)
      hbs::feed_watchdog(probe, num_unfed);
    if (++ticks % 60 == 0) // peers that came and went (restarts) leave node state in CAF
      hbs::prune_spawn_servers(sys);
    // The lock file is polled here, once a second: actors never touch files.
    bool now_locked = !conf.lock_file.empty() && access(conf.lock_file.c_str(), F_OK) == 0;
    if (now_locked != locked) {
      locked = now_locked;
      hbs::log::info("main", "lock file {} {}", conf.lock_file, locked ? "present" : "gone");
      caf::anon_send(ctrl, hbs::flock_atom_v, locked);
    }
  }
  hbs::service::stopping();
  caf::anon_send_exit(ctrl, caf::exit_reason::user_shutdown);
  ctl_socket.reset();
  hbs::stop_spawn_servers(sys);


  if (!peer_at.empty() && !setup_tls) // (caf::openssl::unpublish does not compile in 0.17.6;
    sys.middleman().unpublish(peer_gw, conf.peer.port); // the process ends anyway)
  loop.stop();
  return 0;
}
