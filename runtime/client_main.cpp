// hbs-client: answers heartbeat requests from both controllers on every monitored network.
// Two threads and no actor system: the socket thread answers each request the moment it is
// readable; this one takes signals, feeds the watchdog and closes the process monitor's
// windows (every host of the fleet pays for the client: issue 16 §3).
#include <array>
#include <chrono>
#include <csignal>
#include <cstring>
#include <memory>
#include <unistd.h>

#include "actors/active_monitor.hpp"
#include "actors/alive_monitor.hpp"
#include "actors/responder.hpp"
#include "messages/mtc_message.hpp"
#include "runtime/atomic_file.hpp"
#include "runtime/credential.hpp"
#include "runtime/daemon.hpp"
#include "runtime/io_loop.hpp"
#include "runtime/log.hpp"
#include "runtime/scheduling.hpp"
#include "runtime/service.hpp"
#include "runtime/signals.hpp"
#include "runtime/udp_socket.hpp"
#include "runtime/watchdog.hpp"

namespace {

// MONITOR_READY to mtcAgent (reference §9.2): it waits for it before heartbeat soaks.
class ready_sender {
public:
  ready_sender(std::shared_ptr<hbs::udp_socket> s, const hbs::cfg::client_config& c)
    : socket_(std::move(s)), to_(hbs::parse_ipv4(c.mtc_address)), port_(c.mtc_port) {
    size_ = hbs::wire::encode_mtc_event(hbs::wire::mtc_event::monitor_ready, c.host, 0,
                                        "hbsClient", {bytes_.data(), bytes_.size()});
  }
  void send_due(std::chrono::steady_clock::time_point now) {
    if (now < next_)
      return;
    next_ = now + std::chrono::seconds{5};
    hbs::outgoing o{to_, 0, port_, static_cast<uint16_t>(size_), bytes_.data()};
    if (socket_->send(&o, 1) != 1 && num_failed_++ % 60 == 0)
      hbs::log::warn("main", "cannot send MONITOR_READY to {}:{} ({} failures)",
                     hbs::format_ipv4(to_), port_, num_failed_);
  }

private:
  std::shared_ptr<hbs::udp_socket> socket_;
  uint32_t to_;
  uint16_t port_;
  std::array<uint8_t, hbs::wire::mtc_message_size> bytes_{};
  size_t size_ = 0;
  std::chrono::steady_clock::time_point next_{};
  uint64_t num_failed_ = 0;
};

} // namespace

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
  // pmond's two doors on loopback (port 0: that door is closed).
  auto pmond_door = [&](uint16_t port, const char* what, std::shared_ptr<hbs::udp_socket>& out) {
    std::string err;
    if (port != 0 && !(out = hbs::open_local_socket(loop, "127.0.0.1", port, err)))
      hbs::log::error("main", "process-monitor {} socket: {}", what, err);
    return port == 0 || out != nullptr;
  };
  std::shared_ptr<hbs::udp_socket> pmon, amon;
  if (!pmond_door(conf.pmon_port, "pulse", pmon) || !pmond_door(conf.amon_port, "request", amon))
    return 1;
  std::unique_ptr<ready_sender> ready;
  if (!conf.mtc_address.empty()) { // from the management address, as the stock client
    std::string err;
    auto s = hbs::open_local_socket(loop, conf.networks.front().local_address, 0, err);
    if (!s) {
      hbs::log::error("main", "MONITOR_READY socket: {}", err);
      return 1;
    }
    ready = std::make_unique<ready_sender>(s, conf);
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
    // On the socket thread: answer everything waiting. Level-triggered, so no re-arm: one
    // wake-up, one recvmmsg, one sendmmsg per request (issue 16 §3).
    sockets[i]->drain_on_loop([r] { r->serve(); });
  }
  std::unique_ptr<hbs::alive_monitor> alive;
  if (pmon) {
    alive = std::make_unique<hbs::alive_monitor>(pmon, flagged);
    pmon->drain_on_loop([a = alive.get()] { a->drain(); });
  }
  std::unique_ptr<hbs::active_monitor> probed;
  if (amon) {
    probed = std::make_unique<hbs::active_monitor>(
      hbs::active_monitor_setup{amon, conf.amon_name, conf.amon_reply_port});
    amon->drain_on_loop([p = probed.get()] { p->drain(); });
  }
  if (!conf.pid_file.empty()) {
    std::string err;
    if (!hbs::write_atomically(conf.pid_file, fmt::format("{}\n", getpid()), err)) {
      hbs::log::error("main", "pid file: {}", err);
      return 1;
    }
  }
  loop.start();
  if (amon)
    hbs::log::info("main", "answering pmond's active monitor as '{}' on 127.0.0.1:{} (to {})",
                   conf.amon_name, conf.amon_port, conf.amon_reply_port);
  hbs::log::info("main", "ready: {} answering on {} network(s){}", conf.host,
                 conf.networks.size(),
                 conf.pmon_port ? fmt::format(", process monitor on port {}", conf.pmon_port)
                                : std::string{", process-monitor flag always on"});
  if (ready) {
    ready->send_due(std::chrono::steady_clock::now());
    hbs::log::info("main", "MONITOR_READY to mtcAgent at {}:{} every 5 s", conf.mtc_address,
                   conf.mtc_port);
  }
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
    if (ready)
      ready->send_due(std::chrono::steady_clock::now());
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
  if (!conf.pid_file.empty())
    unlink(conf.pid_file.c_str());
  return 0;
}
