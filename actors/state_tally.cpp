#include "actors/state_tally.hpp"

namespace hbs {

host_health health_of(const liveness& l) {
  if (l.failed())
    return host_health::lost;
  if (l.degraded())
    return host_health::degraded;
  if (l.minor())
    return host_health::minor;
  return host_health::ok;
}

const char* to_string(host_health h) {
  switch (h) {
    case host_health::ok: return "ok";
    case host_health::minor: return "minor";
    case host_health::degraded: return "degraded";
    case host_health::lost: return "lost";
    case host_health::none: break;
  }
  return "unmonitored";
}

void state_tally::set(const std::string& host, uint8_t net, host_health h) {
  if (net > 1 || h > host_health::none)
    return;
  auto [it, added] = hosts_.try_emplace(host);
  if (added)
    it->second = {host_health::none, host_health::none};
  auto& was = it->second[net];
  if (was == h)
    return;
  if (was != host_health::none)
    --counts_[net][static_cast<size_t>(was)];
  if (h != host_health::none)
    ++counts_[net][static_cast<size_t>(h)];
  was = h;
}

void state_tally::forget(const std::string& host) {
  auto it = hosts_.find(host);
  if (it == hosts_.end())
    return;
  for (uint8_t n = 0; n < 2; ++n)
    set(host, n, host_health::none);
  hosts_.erase(it);
}

uint32_t state_tally::count(uint8_t net, host_health h) const {
  if (net > 1 || h >= host_health::none)
    return 0;
  return counts_[net][static_cast<size_t>(h)];
}

} // namespace hbs
