#include "runtime/signals.hpp"

#include <csignal>
#include <ctime>
#include <initializer_list>

namespace hbs {

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

int wait_for_signal(int timeout_ms) {
  auto set = daemon_signals();
  timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
  int sig = sigtimedwait(&set, nullptr, &ts);
  return sig < 0 ? 0 : sig;
}

} // namespace hbs
