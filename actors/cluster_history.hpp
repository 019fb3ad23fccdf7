#pragma once
// The vault's logic (reference §4.2-4.6) as a value type: this controller's history per
// network, the peer's histories saved from responses, 0:0 injection for a silent peer,
// storage-0 tracking, lock, and the change reasons that trigger a push to SM. No CAF.

#include <array>
#include <string>

#include "messages/cluster.hpp"
#include "messages/events.hpp"

namespace hbs {

constexpr uint32_t storage0_miss_threshold = 4;

class cluster_history {
public:
  cluster_history(uint8_t controller, uint16_t period_ms);

  // One network's period end: inject 0:0 for a silent peer (management only, once per
  // period), then write this controller's entry. Skipped while locked or with no hosts.
  void close_period(const period_summary& s, bool sm_heartbeat_fail);
  // §4.3: overwrite each peer element wholesale; a difference is a change reason.
  void save_peer(const wire::cluster_block& from_response);
  void set_peer_enabled() { peer_enabled_ = true; }
  void set_locked(bool locked);
  void set_period(uint16_t ms) { vault_.period_msec = ms; }
  void add_reason(const std::string& reason);

  bool reasons_pending() const { return !reasons_.empty(); }
  std::string take_reasons();
  bool locked() const { return locked_; }
  const wire::cluster_block& vault() const { return vault_; }
  // Only this controller's histories: what rides in requests (§4.4).
  wire::cluster_block own_block() const;
  const wire::history* find(uint8_t controller, uint8_t network) const;

private:
  wire::history* find_or_create(uint8_t controller, uint8_t network, bool& created);
  void inject_peer_zeros();
  void track_storage0(const period_summary& s, wire::history& h);

  uint8_t controller_;
  wire::cluster_block vault_;
  std::string reasons_;
  bool locked_ = false;
  bool peer_enabled_ = false;
  bool peer_missing_ = true;  // the first receipt is a change too
  bool got_peer_this_period_ = false;
  std::array<uint32_t, 2> storage0_misses_{};
  std::array<bool, 2> storage0_seen_{};
};

// SM alive-pulse monitor (§4.8): failing after 800 ms without a beat; 16 beats in a row,
// at the expected 100 ms rate, to recover. Times in milliseconds of a monotonic clock.
class sm_heartbeat {
public:
  explicit sm_heartbeat(int64_t now_ms) : last_beat_(now_ms) {}
  void beat(int64_t now_ms);
  bool evaluate(int64_t now_ms); // once per period; true while failing
  bool failing() const { return failing_; }
  uint64_t num_misses() const { return num_misses_; }

private:
  int64_t last_beat_;
  int64_t recovery_start_ = 0;
  uint32_t count_ = 0;
  uint64_t num_misses_ = 0;
  bool failing_ = false;
};

} // namespace hbs
