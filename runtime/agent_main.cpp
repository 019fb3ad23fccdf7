// hbs-agent: the controller-side heartbeat daemon.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/controller.hpp"
#include "runtime/atomic_file.hpp"
#include "runtime/daemon.hpp"
#include "runtime/io_loop.hpp"
#include "runtime/log.hpp"
#include "runtime/scheduling.hpp"
#include "runtime/service.hpp"
#include "runtime/system_config.hpp"
#include "runtime/udp_socket.hpp"

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

// SIGHUP: re-read the file; apply period, thresholds, failure action and log level. An
// invalid file changes nothing and says why.
void reload(caf::scoped_actor& self, const hbs::controller_actor& ctrl,
            const std::string& path, hbs::cfg::agent_config& running) {
  auto fresh = hbs::cfg::load_agent_config(path);
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
  running.period_ms = c.period_ms;
  running.limits = c.limits;
  running.failure_action = c.failure_action;
  self->request(ctrl, std::chrono::seconds{2}, hbs::reload_atom_v, c.period_ms, c.limits.minor,
                c.limits.degrade, c.limits.loss, c.failure_action)
    .receive([](std::string& what) { hbs::log::info("main", "SIGHUP: {}", what); },
             [](caf::error& e) { hbs::log::error("main", "SIGHUP: {}", caf::to_string(e)); });
}

} // namespace

int main(int argc, char** argv) {
  hbs::cfg::agent_config conf;
  std::string config_path;
  // The log directory must exist before logging starts: created from the validated config.
  auto load = [](const std::string& path) {
    auto l = hbs::cfg::load_agent_config(path);
    if (l.ok() && !l.config.log_dir.empty() && !make_dir(l.config.log_dir))
      l.problems.push_back(l.config.log_dir + ": cannot create the log directory: "
                           + std::strerror(errno));
    return l;
  };
  auto rc = hbs::start_daemon<hbs::cfg::agent_config>(
    argc, argv,
    {"hbs-agent", "hbs-agent: heartbeats every monitored host of the cluster from this controller",
     "/etc/hbs/agent.toml",
     "Exit status: 0 clean stop, 1 runtime failure (socket, state directory, control port), "
     "2 invalid command line or configuration.\nSignals: SIGTERM/SIGINT stop, SIGHUP reloads "
     "period, thresholds, failure action and log settings, SIGUSR2 dumps state to the log."},
    +load, conf, config_path);
  if (rc >= 0)
    return rc;
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
  hbs::controller_setup setup{conf, {}, nullptr, conf.state_dir + "/events.jsonl",
                              conf.state_dir + "/alarms.json", "", true};
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
  if (conf.sm.enabled) {
    std::string err;
    setup.sm_socket = hbs::open_local_socket(loop, conf.sm.address, conf.sm.server_port, err);
    if (!setup.sm_socket) {
      hbs::log::error("main", "SM request socket: {}", err);
      return 1;
    }
  }
  caf::actor_system_config cfg;
  hbs::configure(cfg, true, std::chrono::milliseconds{conf.peer.keepalive_ms});
  caf::actor_system sys{cfg};
  loop.start();
  auto ctrl = sys.spawn(hbs::controller_fn, std::move(setup));
  auto port = sys.middleman().publish(ctrl, conf.control_port, conf.control_address.c_str(),
                                      true);
  if (!port) {
    hbs::log::error("main", "cannot publish the control actor on {}:{}: {}",
                    conf.control_address, conf.control_port, sys.render(port.error()));
    caf::anon_send_exit(ctrl, caf::exit_reason::user_shutdown);
    loop.stop();
    return 1;
  }
  uint16_t peer_port = 0;
  if (!conf.peer.address.empty()) {
    auto& mgmt = conf.networks.front().local_address;
    auto p = sys.middleman().publish(ctrl, conf.peer.port, mgmt.c_str(), true);
    if (!p) {
      hbs::log::error("main", "cannot publish the control actor for the peer on {}:{}: {}",
                      mgmt, conf.peer.port, sys.render(p.error()));
      caf::anon_send_exit(ctrl, caf::exit_reason::user_shutdown);
      loop.stop();
      return 1;
    }
    peer_port = *p;
  }
  hbs::log::info("main", "ready: {} control on {}:{}{}", conf.controller, conf.control_address,
                 *port, peer_port ? fmt::format(", peer link on port {}", peer_port) : "");
  hbs::service::ready(fmt::format("{} heartbeating {} host(s)", conf.controller,
                                  conf.hosts.size()));
  bool locked = false;
  caf::scoped_actor self{sys};
  for (;;) {
    int sig = hbs::wait_for_signal(1000);
    if (sig == SIGINT || sig == SIGTERM) {
      hbs::log::info("main", "{} received, stopping", strsignal(sig));
      break;
    }
    if (sig == SIGUSR2) {
      hbs::log::info("main", "SIGUSR2: state dump");
      self->send(ctrl, hbs::dump_atom_v);
    } else if (sig == SIGHUP) {
      reload(self, ctrl, config_path, conf);
    }
    // The watchdog is fed only while the controller actor answers: a wedged agent restarts.
    self->request(ctrl, std::chrono::milliseconds{500}, hbs::role_atom_v)
      .receive([](std::string&) { hbs::service::watchdog(); },
               [](caf::error& e) {
                 hbs::log::error("main", "controller not answering: {}", caf::to_string(e));
               });
    // The lock file is polled here, once a second: actors never touch files.
    bool now_locked = !conf.lock_file.empty() && access(conf.lock_file.c_str(), F_OK) == 0;
    if (now_locked != locked) {
      locked = now_locked;
      hbs::log::info("main", "lock file {} {}", conf.lock_file, locked ? "present" : "gone");
      caf::anon_send(ctrl, hbs::lock_atom_v, locked);
    }
  }
  hbs::service::stopping();
  caf::anon_send_exit(ctrl, caf::exit_reason::user_shutdown);
  sys.middleman().unpublish(ctrl, *port);
  if (peer_port)
    sys.middleman().unpublish(ctrl, peer_port);
  loop.stop();
  return 0;
}
