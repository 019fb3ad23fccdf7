#pragma once
// Snapshots of live actor state that hbsctl reads over CAF. Plain structs with inspect().

#include <cstdint>
#include <string>
#include <vector>

namespace hbs {

enum class agent_role : uint8_t { inactive, active };
inline const char* to_string(agent_role r) {
  return r == agent_role::active ? "active" : "inactive";
}

// The operator's proof on a command that changes state: the control token, which only root
// (or whoever the token file's mode allows) can read.
struct credential {
  std::string token;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, credential& x) {
  return f(x.token);
}

// The SM door's counters (actors/sm_gateway).
struct sm_counters {
  bool enabled = false;           // false: SM disabled in the configuration
  uint64_t num_queries = 0;
  uint64_t num_beats = 0;
  uint64_t num_pushes = 0;
  uint64_t num_send_errors = 0;
  uint32_t num_kernel_drops = 0;      // requests the kernel dropped (receive queue full)
  std::vector<uint64_t> num_rejected; // per sm_error (messages/sm_request.hpp), 0 unused
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, sm_counters& x) {
  return f(x.enabled, x.num_queries, x.num_beats, x.num_pushes, x.num_send_errors,
           x.num_kernel_drops, x.num_rejected);
}

// mtcAgent's door in starlingx mode (actors/mtc_gateway).
struct mtc_counters {
  bool enabled = false;              // false: standalone mode
  bool inventory = false;            // an inventory command arrived (READY stops)
  uint64_t num_commands = 0;         // taken
  uint64_t num_events = 0;           // sent to mtcAgent (READY included)
  uint64_t num_alarm_requests = 0;   // sent to mtcalarmd
  uint64_t num_send_errors = 0;
  uint32_t num_kernel_drops = 0;      // commands the kernel dropped (receive queue full)
  std::vector<uint64_t> num_rejected; // per mtc_error (messages/mtc_message.hpp), 0 unused
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mtc_counters& x) {
  return f(x.enabled, x.inventory, x.num_commands, x.num_events, x.num_alarm_requests,
           x.num_send_errors, x.num_kernel_drops, x.num_rejected);
}

// One host on one network, as the host actor's liveness and the network's counters see it.
// Link quality of one host on one network (actors/link_quality.hpp), for hbsctl and metrics.
// -1: not measured (no round trip, or no period judged, in the window).
struct link_row {
  int64_t rtt_p50_us = -1;
  int64_t rtt_p99_us = -1;
  int64_t rtt_max_us = -1;
  uint32_t num_rtt = 0; // round trips measured over the last minute
  double loss_1m_pct = -1;
  double loss_1h_pct = -1;
  uint32_t num_flaps = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, link_row& x) {
  return f(x.rtt_p50_us, x.rtt_p99_us, x.rtt_max_us, x.num_rtt, x.loss_1m_pct, x.loss_1h_pct,
           x.num_flaps);
}

struct net_status {
  uint8_t network = 0;
  bool monitored = false;
  std::string state;          // ok, minor, degraded, lost, unmonitored
  uint32_t b2b = 0;
  uint32_t max_b2b = 0;
  uint64_t num_misses = 0;
  uint64_t num_pulses = 0;    // counted responses (from the network)
  int64_t last_response_age_ms = -1; // -1: never answered
  uint32_t flags = 0;
  link_row link;
  uint32_t num_minor = 0;   // outages that reached minor, degrade, loss (since started)
  uint32_t num_degrade = 0;
  uint32_t num_loss = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, net_status& x) {
  return f(x.network, x.monitored, x.state, x.b2b, x.max_b2b, x.num_misses, x.num_pulses,
           x.last_response_age_ms, x.flags, x.link, x.num_minor, x.num_degrade, x.num_loss);
}

struct host_status {
  std::string name;
  std::string type;
  std::string management;
  std::string cluster_host;
  bool started = false;
  std::vector<net_status> networks;
  std::string eclipsed; // why it is not heartbeated: another host holds its address ("": no)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, host_status& x) {
  return f(x.name, x.type, x.management, x.cluster_host, x.started, x.networks, x.eclipsed);
}

// What a network actor counts for one host (joined into net_status by the controller).
struct net_host_row {
  std::string name;
  uint64_t num_pulses = 0;
  int64_t last_response_age_ms = -1;
  uint32_t flags = 0;
  link_row link;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, net_host_row& x) {
  return f(x.name, x.num_pulses, x.last_response_age_ms, x.flags, x.link);
}

struct network_counters {
  uint8_t network = 0;
  std::string mode;           // multicast or unicast
  std::string local_address;
  uint32_t period_ms = 0;
  uint32_t sequence = 0;
  uint32_t expected = 0;      // hosts asked in the last closed period
  uint32_t responding = 0;    // of those, how many answered
  uint64_t num_requests = 0;
  uint64_t num_send_errors = 0;
  uint64_t num_responses = 0; // every datagram read
  uint64_t num_counted = 0;
  uint64_t num_stale = 0;
  uint64_t num_duplicates = 0;
  uint64_t num_unknown_source = 0;
  uint64_t num_self = 0;
  uint64_t num_wrong_controller = 0;
  std::vector<uint64_t> num_malformed; // per wire::decode_error, index 0 unused
  std::string auth_mode;            // pulse authentication: off, accept, require
  uint64_t num_unsigned = 0;        // responses without a signature (dropped in require)
  uint64_t num_bad_mac = 0;         // signed, but not with the cluster's key: dropped
  uint64_t num_replayed = 0;        // signed, outside the time window: dropped
  // The agent's own health (actors/local_health.hpp): periods judged, periods not judged
  // because the agent could not observe them, and why.
  uint64_t num_judged = 0;
  uint64_t num_stalled_short = 0;    // request out for less than a quarter period
  uint64_t num_stalled_overflow = 0; // the kernel dropped datagrams on the receive socket
  uint64_t num_stalled_send = 0;     // the request did not leave (to every host)
  uint64_t num_judged_anyway = 0;    // stalled for `loss` periods in a row: judged anyway
  uint64_t num_late_ticks = 0;
  uint64_t num_skipped_periods = 0;
  uint64_t num_socket_drops = 0;
  int64_t max_lateness_ms = 0;
  // Handler time per period (drain, close, send) over the last minute, in microseconds.
  int64_t busy_p50_us = 0;
  int64_t busy_p99_us = 0;
  int64_t busy_max_us = 0;
  // The same periods' CPU time of the handling thread: the processing cost alone, without
  // the time the thread waited for a core.
  int64_t busy_cpu_p50_us = 0;
  int64_t busy_cpu_p99_us = 0;
  int64_t busy_cpu_max_us = 0;
  // Round trips of every host over the last minute: link_quality's buckets, and the largest.
  std::vector<uint32_t> rtt_buckets;
  int64_t rtt_max_us = -1;
  // Busy time of every period since start: counts per bucket of busy_bounds_us (+Inf last).
  std::vector<uint64_t> busy_counts;
  int64_t busy_sum_us = 0;
  // Monitored hosts by state, indexed by host_health (ok, minor, degraded, lost): the
  // controller's tally, added to its status reply (empty from the network actor itself).
  std::vector<uint32_t> hosts_by_state;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, network_counters& x) {
  return f(x.network, x.mode, x.local_address, x.period_ms, x.sequence, x.expected,
           x.responding, x.num_requests, x.num_send_errors, x.num_responses, x.num_counted,
           x.num_stale, x.num_duplicates, x.num_unknown_source, x.num_self,
           x.num_wrong_controller, x.num_malformed, x.auth_mode, x.num_unsigned, x.num_bad_mac,
           x.num_replayed, x.num_judged, x.num_stalled_short, x.num_stalled_overflow,
           x.num_stalled_send, x.num_judged_anyway, x.num_late_ticks, x.num_skipped_periods,
           x.num_socket_drops, x.max_lateness_ms, x.busy_p50_us, x.busy_p99_us, x.busy_max_us,
           x.busy_cpu_p50_us, x.busy_cpu_p99_us, x.busy_cpu_max_us, x.rtt_buckets,
           x.rtt_max_us, x.busy_counts, x.busy_sum_us, x.hosts_by_state);
}

// One file the agent writes in its state directory, and whether writes succeed.
struct file_health {
  std::string file;            // events.jsonl, alarms.json, control.json
  bool ok = true;
  uint64_t num_failures = 0;   // writes that failed (the content is kept in memory)
  std::string last_error;
  int64_t failing_for_ms = -1; // -1: the last write succeeded
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, file_health& x) {
  return f(x.file, x.ok, x.num_failures, x.last_error, x.failing_for_ms);
}

struct agent_status {
  std::string controller;
  std::string role;
  std::string role_note;       // why (peer unreachable, waiting for the peer, ...)
  uint64_t epoch = 0;          // the designation's epoch every event carries
  std::string version;
  std::string action;          // failure action in force
  uint32_t period_ms = 0;      // configured (run time included; x4 shows per network)
  uint32_t minor = 0, degrade = 0, loss = 0; // thresholds in force
  uint64_t num_hosts = 0;     // in inventory
  uint64_t num_started = 0;   // monitored
  uint64_t num_eclipsed = 0;  // in inventory, not heartbeated: another holds its address
  int64_t uptime_ms = 0;
  std::vector<network_counters> networks; // management first
  sm_counters sm;
  std::vector<file_health> files; // state directory writes
  mtc_counters mtc;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, agent_status& x) {
  return f(x.controller, x.role, x.role_note, x.epoch, x.version, x.action, x.period_ms,
           x.minor, x.degrade, x.loss, x.num_hosts, x.num_started, x.uptime_ms, x.networks,
           x.sm, x.files, x.mtc, x.num_eclipsed);
}

} // namespace hbs

namespace hbs {

// One (controller, network) history as hbsctl shows it: entries oldest to newest.
struct history_view {
  uint8_t controller = 0;
  uint8_t network = 0;
  bool sm_heartbeat_fail = false;
  bool storage0_responding = false;
  std::vector<uint16_t> enabled;
  std::vector<uint16_t> responding;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, history_view& x) {
  return f(x.controller, x.network, x.sm_heartbeat_fail, x.storage0_responding, x.enabled,
           x.responding);
}

struct vault_view {
  std::string controller;
  uint16_t period_msec = 0;
  bool storage0_enabled = false;
  bool locked = false;
  bool sm_heartbeat_fail = false;
  uint64_t num_pushes = 0;
  uint64_t num_sm_beats = 0;
  std::string last_reasons; // what the newest push to SM was for
  std::vector<history_view> histories;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, vault_view& x) {
  return f(x.controller, x.period_msec, x.storage0_enabled, x.locked, x.sm_heartbeat_fail,
           x.num_pushes, x.num_sm_beats, x.last_reasons, x.histories);
}

// The controller-to-controller link and this agent's role.
struct peer_status {
  std::string controller;      // this agent
  std::string role;            // active or inactive
  std::string peer;            // the other controller's name
  std::string endpoint;        // address:port the peer is reached at now (or tried first)
  std::string path;            // management or cluster-host: which address the link uses
  bool link_up = false;
  int64_t last_contact_age_ms = -1;
  uint64_t num_link_ups = 0;
  uint64_t num_link_downs = 0;
  uint64_t generation = 0;     // this agent's clock over the control state (wall-clock ms)
  std::string designation;     // the controller the newest designation names
  uint64_t epoch = 0;          // that designation's epoch (2 x generation + origin)
  bool peer_locked = false;    // the other controller is locked by an operator
  uint64_t num_syncs = 0;      // control snapshots taken from the peer
  uint64_t num_refused = 0;    // ... and refused (invalid; logged)
  uint64_t num_unsent = 0;     // messages for the peer while the link was down
  bool tls = false;            // mutual TLS (else BASP in the clear)
  uint64_t num_tls_refused = 0; // handshakes this agent refused (certificate, name, plain)
  uint32_t protocol = 0;       // this agent's peer protocol
  std::string refusal;         // why the peer reached last was not linked ("": none)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, peer_status& x) {
  return f(x.controller, x.role, x.peer, x.endpoint, x.path, x.link_up, x.last_contact_age_ms,
           x.num_link_ups, x.num_link_downs, x.generation, x.designation, x.epoch,
           x.peer_locked, x.num_syncs, x.num_refused, x.num_unsent, x.tls,
           x.num_tls_refused, x.protocol, x.refusal);
}

// The MNFA state one agent tells the other (on every change and on link-up).
struct mnfa_report {
  bool deciding = false;   // the sender is the active agent: its episode is the cluster's
  bool episode = false;    // in MNFA (or recovering: period not yet restored)
  bool backed_off = false; // its period is x4
  bool forced = false;     // hbsctl backoff / recover: the receiver sets its period alike
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mnfa_report& x) {
  return f(x.deciding, x.episode, x.backed_off, x.forced);
}

} // namespace hbs

namespace hbs {

struct alarm_view {
  std::string id;
  std::string host;
  std::string severity; // major, critical
  std::string entity;
  std::string reason;
  int64_t raised_ms = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alarm_view& x) {
  return f(x.id, x.host, x.severity, x.entity, x.reason, x.raised_ms);
}

struct mnfa_view {
  std::string state;        // idle, active, recovering (exited, period restore pending)
  std::string action;       // failure action: fail, degrade, alarm, none
  bool deciding = false;    // true on the active agent; the inactive one follows
  uint32_t threshold = 0;   // effective, in hosts
  uint32_t threshold_percent = 0;
  std::vector<uint32_t> tally;          // per network
  std::vector<std::string> pool;
  int64_t active_for_ms = -1;           // time in MNFA, -1 when not in it
  int64_t timeout_left_ms = -1;         // -1: no timer
  uint64_t occurrences = 0;
  uint32_t period_ms = 0;               // current (backed off x4 during MNFA)
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, mnfa_view& x) {
  return f(x.state, x.action, x.deciding, x.threshold, x.threshold_percent, x.tally, x.pool,
           x.active_for_ms, x.timeout_left_ms, x.occurrences, x.period_ms);
}

} // namespace hbs
