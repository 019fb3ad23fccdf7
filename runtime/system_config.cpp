#include "runtime/system_config.hpp"

#include <csignal>

#include <caf/io/middleman.hpp>

#include "messages/type_ids.hpp"

namespace hbs {

void configure(caf::actor_system_config& cfg, bool with_middleman) {
  add_types(cfg);
  cfg.set("scheduler.policy", caf::atom("sharing"));
  cfg.set("scheduler.max-threads", size_t{2});
  if (with_middleman) {
    cfg.load<caf::io::middleman>();
    cfg.set("middleman.workers", size_t{0});
  }
}

namespace {

sigset_t daemon_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP, SIGUSR2})
    sigaddset(&set, s);
  return set;
}

} // namespace

void block_daemon_signals() {
  auto set = daemon_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int wait_for_signal() {
  auto set = daemon_signals();
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

} // namespace hbs
