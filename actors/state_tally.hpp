#pragma once
// Monitored hosts per network by heartbeat state, kept as the host actors report their
// changes, so counting them (hbsctl status, the metrics' hbs_network_hosts) asks no host
// actor: at 10,000 hosts asking each one put ~0.25 s of jobs ahead of the heartbeat.

#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "actors/liveness.hpp"

namespace hbs {

// What one host is on one network; `none`: not monitored there (stopped, not on it).
enum class host_health : uint8_t { ok, minor, degraded, lost, none };
constexpr size_t num_health_states = 4; // the monitored ones, ok to lost

host_health health_of(const liveness& l);
// "ok", "minor", "degraded", "lost", "unmonitored".
const char* to_string(host_health h);

class state_tally {
public:
  // The host's state on network `net` is now `h`; a repeat changes nothing.
  void set(const std::string& host, uint8_t net, host_health h);
  // The host left the inventory: its states no longer count.
  void forget(const std::string& host);
  uint32_t count(uint8_t net, host_health h) const;
  size_t num_hosts() const { return hosts_.size(); }

private:
  std::array<std::array<uint32_t, num_health_states>, 2> counts_{};
  std::unordered_map<std::string, std::array<host_health, 2>> hosts_;
};

} // namespace hbs
