// hbs-client: answers heartbeat requests from both controllers on every monitored network.
// Two threads and no actor system: the socket thread answers each request the moment it is
// readable; this one takes signals, feeds the watchdog and closes the process monitor's
// windows (every host of the fleet pays for the client: issue 16 §3).
#include <csignal>
#include <cstring>
#include <memory>

#include "actors/alive_monitor.hpp"
#include "actors/responder.hpp"
#include "runtime/credential.hpp"
#include "runtime/daemon.hpp"
#include "runtime/io_loop.hpp"
#include "runtime/log.hpp"
#include "runtime/scheduling.hpp"
#include "runtime/service.hpp"
#include "runtime/signals.hpp"
#include "runtime/udp_socket.hpp"
#include "runtime/watchdog.hpp"

int main(int argc, char** argv) {
  hbs::cfg::client_config conf;
  std::string config_path;
  pid_t stop_with = 0;
  auto rc = hbs::start_daemon<hbs::cfg::client_config>(
    argc, argv,
    {"hbs-client", "hbs-client: answers heartbeat pulses from the controllers on this host",
     "/etc/hbs/client.toml",
     "Exit status: 0 clean stop, 1 runtime failure (socket), 2 invalid command line, "
     "configuration or a key file it names.\nSignals: SIGTERM/SIGINT stop, SIGHUP reopens the "
     "log file."},
    hbs::cfg::load_client_config, conf, config_path, stop_with);
  if (rc >= 0)
    return rc;
  hbs::block_daemon_signals();
  if (std::string err; !hbs::use_realtime_scheduling(conf.scheduling_priority, err))
    hbs::log::warn("main", "{}", err);
  else if (conf.scheduling_priority > 0)
    hbs::log::info("main", "scheduling: SCHED_RR priority {}", conf.scheduling_priority);
  hbs::io_loop loop;
  std::vector<std::shared_ptr<hbs::udp_socket>> sockets;
  for (auto& net : conf.networks) {
    std::string err;
    auto sock = hbs::open_client_socket(loop, net, err);
    if (!sock) {
      hbs::log::error("main", "{} network: {}", hbs::cfg::network_key(net.index), err);
      return 1;
    }
    sockets.push_back(sock);
  }
  std::shared_ptr<hbs::udp_socket> pmon;
  if (conf.pmon_port != 0) {
    std::string err;
    pmon = hbs::open_local_socket(loop, "127.0.0.1", conf.pmon_port, err);
    if (!pmon) {
      hbs::log::error("main", "process-monitor pulse socket: {}", err);
      return 1;
    }
  }
  std::string auth_err;
  auto auth = hbs::load_pulse_gate(conf.pulse_auth, auth_err);
  if (!auth_err.empty()) {
    hbs::log::error("main", "{}", auth_err);
    return 2; // the configuration names a key that cannot serve
  }
  bool clstr = conf.networks.size() > 1;
  std::vector<std::unique_ptr<hbs::responder>> responders;
  std::vector<hbs::responder*> flagged;
  for (size_t i = 0; i < conf.networks.size(); ++i) {
    responders.push_back(std::make_unique<hbs::responder>(
      hbs::responder_setup{conf.networks[i], conf.host, clstr, sockets[i], auth}));
    auto* r = responders.back().get();
    flagged.push_back(r);
    // On the socket thread: answer everything waiting, then ask for the next wake-up.
    sockets[i]->on_readable([r, s = sockets[i].get()] {
      r->serve();
      s->rearm();
    });
  }
  std::unique_ptr<hbs::alive_monitor> alive;
  if (pmon) {
    alive = std::make_unique<hbs::alive_monitor>(pmon, flagged);
    pmon->on_readable([a = alive.get(), s = pmon.get()] {
      a->drain();
      s->rearm();
    });
  }
  loop.start();
  for (auto& sock : sockets)
    sock->rearm();
  if (pmon)
    pmon->rearm();
  hbs::log::info("main", "ready: {} answering on {} network(s){}", conf.host,
                 conf.networks.size(),
                 conf.pmon_port ? fmt::format(", process monitor on port {}", conf.pmon_port)
                                : std::string{", process-monitor flag always on"});
  hbs::service::ready(fmt::format("{} answering on {} network(s)", conf.host,
                                  conf.networks.size()));
  // Fed only while the socket loop turns and no request waits long for its responder: a
  // wedged responder makes systemd restart the client (the controllers would lose it).
  hbs::watchdog_probe probe{&loop, 2000, {}};
  uint64_t num_unfed = 0;
  auto window_end = std::chrono::steady_clock::now() + hbs::pmond_window;
  for (;;) {
    int sig = hbs::wait_for_signal(1000);
    if (hbs::starter_gone(stop_with)) {
      hbs::log::info("main", "process {} (--stop-with) ended: stopping", stop_with);
      break;
    }
    hbs::feed_watchdog(probe, num_unfed);
    if (alive && std::chrono::steady_clock::now() >= window_end) {
      alive->close_window();
      window_end += hbs::pmond_window;
    }
    if (sig == 0)
      continue;
    if (sig == SIGINT || sig == SIGTERM)
      break;
    if (sig == SIGHUP) {
      hbs::log::reopen(); // after an outside logrotate
      hbs::log::info("main", "SIGHUP: log file reopened");
      continue;
    }
    hbs::log::info("main", "{} received, ignored", strsignal(sig));
  }
  hbs::service::stopping();
  hbs::log::info("main", "stopping");
  loop.stop(); // no callback runs after this: the responders can go
  return 0;
}
