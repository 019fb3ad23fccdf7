#include "runtime/watchdog.hpp"

#include <fmt/format.h>

#include "runtime/log.hpp"
#include "runtime/service.hpp"

namespace hbs {

namespace {

std::string problem_of(const beat& b, const std::string& what) {
  auto age = b.age_ms();
  if (!b.stalled())
    return {};
  return fmt::format("{} stalled for {} ms (allowed {} ms)", what, age,
                     b.allowed_ms.load(std::memory_order_relaxed));
}

} // namespace

std::string watchdog_probe::problem() const {
  if (loop) {
    if (auto p = problem_of(loop->liveness(), "the socket loop"); !p.empty())
      return p;
    if (auto ms = loop->oldest_unserved_ms(); ms > unserved_limit_ms)
      return fmt::format("a socket has waited {} ms for its actor (allowed {} ms)", ms,
                         unserved_limit_ms);
  }
  for (auto& [what, b] : work)
    if (auto p = problem_of(*b, what); !p.empty())
      return p;
  return {};
}

bool feed_watchdog(const watchdog_probe& probe, uint64_t& num_unfed) {
  auto p = probe.problem();
  if (p.empty()) {
    if (num_unfed > 0)
      log::info("main", "watchdog fed again after {} s", num_unfed);
    num_unfed = 0;
    service::watchdog();
    return true;
  }
  if (num_unfed++ % 10 == 0)
    log::error("main", "watchdog not fed: {}; systemd restarts the service if it lasts", p);
  return false;
}

} // namespace hbs
