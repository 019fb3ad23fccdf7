#pragma once
// What the supervisor checks before it feeds systemd's watchdog: the socket loop turns, no
// socket waits long for its actor, every monitored network closes its periods. A wedged
// responder, loop or network makes systemd restart the daemon instead of the heartbeat
// silently failing (mass misses, MNFA).

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/beat.hpp"
#include "runtime/io_loop.hpp"

namespace hbs {

struct watchdog_probe {
  const io_loop* loop = nullptr;
  int64_t unserved_limit_ms = 2000;
  std::vector<std::pair<std::string, std::shared_ptr<beat>>> work; // name, its beat
  // "" when everything works, else what does not (one line).
  std::string problem() const;
};

// Feeds the watchdog when the probe finds nothing wrong; logs the first failure and then
// every tenth call (once per 10 s at one call a second). True when fed.
bool feed_watchdog(const watchdog_probe& probe, uint64_t& num_unfed);

} // namespace hbs
