#pragma once
// Per (host, network) failure detection of reference §5.4 as a pure value type: fed one
// "responded" or "missed" per period, it returns the transitions that fired. No CAF, no time.

#include <cstdint>

namespace hbs {

struct thresholds {
  uint32_t minor = 4;   // management only
  uint32_t degrade = 6;
  uint32_t loss = 10;
};

// Responses needed after a loss before the host counts as recovered.
constexpr uint32_t pulses_for_recovery = 10;
// A lost host is reported again every this many misses after the first report (at 10,
// 100010, ...: StarlingX's b2b % 100000 == loss with the default threshold).
constexpr uint32_t loss_rereport = 100000;

// Bit set of what one observation changed.
enum transition : uint16_t {
  tr_none = 0,
  tr_start = 1 << 0,         // first response after a miss or a monitoring start
  tr_pass = 1 << 1,          // consecutive responses reached the loss threshold
  tr_miss = 1 << 2,          // a miss with 1 < b2b < loss ("heartbeat miss n")
  tr_minor_set = 1 << 3,
  tr_minor_clear = 1 << 4,
  tr_degrade_set = 1 << 5,
  tr_degrade_clear = 1 << 6,
  tr_loss = 1 << 7,          // loss boundary: LOSS (or degrade-only loss, see below)
  tr_recovered = 1 << 8,     // failure cleared after pulses_for_recovery responses
  tr_degrade_only = 1 << 9,  // with tr_loss: no failure, the host stays degraded
};
using transitions = uint16_t;

class liveness {
public:
  // minor_enabled: management network. degrade_only: cluster-host loss only degrades
  // (controller-type hosts on standard systems, or the clstr_degrade_only option).
  liveness(thresholds t, bool minor_enabled, bool degrade_only);

  transitions on_response();
  transitions on_miss();
  // Monitoring (re)started: every counter and flag reset, alarms are not this type's business.
  void restart();

  uint32_t b2b() const { return b2b_; }
  uint32_t max_b2b() const { return max_b2b_; }
  uint64_t num_misses() const { return num_misses_; }
  uint64_t num_pulses() const { return num_pulses_; }
  // Outages that reached each threshold since monitoring (re)started (StarlingX's minor,
  // degrade and failure counts in its node table).
  uint32_t num_minor() const { return num_minor_; }
  uint32_t num_degrade() const { return num_degrade_; }
  uint32_t num_loss() const { return num_loss_; }
  uint32_t consecutive() const { return consecutive_; }
  bool minor() const { return minor_; }
  bool degraded() const { return degraded_; }
  bool failed() const { return failed_; }
  const thresholds& limits() const { return t_; }
  void set_thresholds(thresholds t) { t_ = t; }

private:
  transitions clear_path();

  thresholds t_;
  bool minor_enabled_;
  bool degrade_only_;
  uint32_t b2b_ = 0;
  uint32_t loss_at_ = 0; // b2b at the first loss report of this outage; 0: not reported
  uint32_t max_b2b_ = 0;
  uint32_t consecutive_ = 0;
  uint64_t num_misses_ = 0;
  uint64_t num_pulses_ = 0;
  uint32_t num_minor_ = 0;
  uint32_t num_degrade_ = 0;
  uint32_t num_loss_ = 0;
  bool minor_ = false;
  bool degraded_ = false;
  bool failed_ = false;
};

// At most one counted response per host per period, only for the current sequence.
enum class receipt : uint8_t { counted, stale, duplicate };

class attendance {
public:
  // A new request with this sequence went out: a new period starts.
  void open(uint32_t sequence) {
    sequence_ = sequence;
    answered_ = false;
    expected_ = true;
  }
  receipt note(uint32_t sequence);
  bool expected() const { return expected_; }
  bool answered() const { return answered_; }

private:
  uint32_t sequence_ = 0;
  bool answered_ = false;
  bool expected_ = false;
};

} // namespace hbs
