#pragma once
// Values that cross actor boundaries about heartbeat: per-period verdicts and the events an
// operator reads. Plain structs; inspect() lets CAF serialize them without a CAF include here.

#include <cstdint>
#include <string>

#include "messages/cluster.hpp"

namespace hbs {

// One network's verdict on one host for one period. The network sends only exceptions:
// misses, responses while the host is recovering, and flag changes.
struct pulse_result {
  uint8_t network = 0;
  bool responded = false;
  uint32_t flags = 0;
  uint32_t period_ms = 100; // the period this verdict was judged at (x4 under MNFA back-off)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pulse_result& x) {
  return f(x.network, x.responded, x.flags, x.period_ms);
}

// What one network saw in one period (sent by the network actor at period end).
struct period_summary {
  uint8_t network = 0;
  uint16_t enabled = 0;      // hosts expected this period
  uint16_t responding = 0;   // of those, how many answered
  bool storage0_monitored = false;
  bool storage0_answered = false;
  bool got_peer = false;     // a response carried the other controller's history
  wire::cluster_block peer;  // the latest such block
};

// One line of <state_dir>/events.jsonl.
struct event {
  std::string kind;       // heartbeat_start, heartbeat_stop, minor_set, minor_clear,
                          // degrade_set, degrade_clear, loss, recovered, ...
  std::string controller; // the agent that saw it
  std::string host;
  std::string network;    // "management", "cluster-host" or empty
  uint32_t b2b = 0;       // back-to-back misses when it fired
  std::string detail;
  int64_t time_ms = 0;    // wall clock, stamped when recorded
  int64_t mono_ms = 0;    // actor clock, for ordering and simulated-time tests
  bool acted = true;      // false: the inactive agent only logged what it would do
  uint64_t epoch = 0;     // the designation in force (stamped when recorded): of two agents
                          // active at once, the higher epoch is the current one
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  return f(x.kind, x.controller, x.host, x.network, x.b2b, x.detail, x.time_ms, x.mono_ms,
           x.acted, x.epoch);
}

} // namespace hbs
