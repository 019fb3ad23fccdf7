#pragma once
// Plain configuration structs. Only config/load.cpp reads TOML; everything else receives
// these values, validated, by value.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "actors/liveness.hpp"
#include "actors/mnfa_logic.hpp"
#include "messages/pulse_auth.hpp"

namespace hbs::cfg {

enum class host_type : uint8_t { controller, worker, storage };
enum class net_mode : uint8_t { multicast, unicast };
// What a heartbeat loss does (reference §6.1); "none" stops heartbeating altogether.
enum class failure_action : uint8_t { fail, degrade, alarm, none };

// Bounds every entry point enforces (file, SIGHUP, hbsctl, the peer).
constexpr size_t max_hosts = 20000;
constexpr size_t max_host_name = 63;

constexpr uint8_t management = 0;
constexpr uint8_t cluster_host = 1;
const char* network_key(uint8_t index);   // "management" / "cluster-host"
const char* network_label(uint8_t index); // "Mgmnt" / "Clstr" (StarlingX log names)
const char* to_string(host_type t);
const char* to_string(failure_action a);
bool parse_host_type(std::string_view s, host_type& out);
bool parse_failure_action(std::string_view s, failure_action& out);

struct network_config {
  uint8_t index = management;
  std::string local_address;
  std::string multicast_group = "239.1.1.2";
  net_mode mode = net_mode::multicast;
  uint16_t client_port = 2106;
  uint16_t agent_port = 2103;
  uint8_t multicast_ttl = 1; // forced to 0 when local_address is loopback
};

struct host_config {
  std::string name;
  host_type type = host_type::worker;
  std::string management;   // address on the management network
  std::string cluster_host; // address on the cluster-host network, may be empty
  bool start = true;        // monitored from agent start
};

struct sm_config {
  bool enabled = true;
  std::string address = "127.0.0.1"; // SM and this agent talk on loopback only
  uint16_t server_port = 2124;       // SM -> agent: JSON requests and alive pulses
  uint16_t client_port = 2224;       // agent -> SM: the binary vault
  uint32_t max_requests_per_s = 200; // more are counted (rate_limited) and dropped
};

// An executable run on events of the given kinds (like Serf's event handlers): the event's
// JSON line on stdin, HBS_EVENT_* in the environment, killed after timeout_ms.
struct hook_config {
  std::vector<std::string> kinds;
  std::string command;       // absolute path, run without a shell
  uint32_t timeout_ms = 5000;
  bool only_acted = true;    // only events this agent acted on (the active one's)
};

// Prometheus text format over HTTP (GET /metrics), read-only; loopback by default.
struct metrics_config {
  bool enabled = true;
  std::string address = "127.0.0.1";
  uint16_t port = 9470;
  bool per_host = true; // per host x network series; false: per-network aggregates only
  uint32_t refresh_ms = 5000; // scrapes closer together get the last gathered figures
};

struct peer_config {
  std::string name;           // the other controller; empty: derived (controller-0 <-> -1)
  std::string address;        // its management address; empty: no peer link (simplex)
  std::string cluster_address; // its cluster-host address: the second path; may be empty
  uint16_t port = 2151;       // both agents publish their peer gateway here
  uint32_t keepalive_ms = 1000; // BASP keepalive; must be the same on both agents
  uint32_t hold_off_ms = 3000;  // peer unreachable this long at start: own designation rules
  bool tls = true;              // mutual TLS; false: BASP in the clear (warned at start)
  std::string tls_certificate = "/etc/hbs/tls/controller.pem"; // chain and key, one PEM
  std::string tls_ca = "/etc/hbs/tls/ca.crt"; // the cluster CA (signs only the controllers)
};

// starlingx mode (hbs-agent under mtcAgent, reference §5.7, §5.8, §7): mtcAgent owns the
// inventory, the active designation, MNFA and the failure action; the agent takes its
// commands, sends it events and sends alarms to mtcalarmd.
struct starlingx_config {
  std::string mtc_address;       // "controller" (the floating address): where events go
  uint16_t command_port = 2104;  // mtc_to_hbs_cmd_port, bound on the management address
  uint16_t event_port = 2107;    // hbs_to_mtc_event_port
  std::string alarm_address = "127.0.0.1"; // mtcalarmd (loopback)
  uint16_t alarm_port = 2122;    // mtcalarm_req_port
  uint32_t ready_interval_ms = 5000; // READY until the first inventory command
  // StarlingX's own files fill what the TOML leaves unset (config/starlingx_files.hpp);
  // empty: not read. A file that does not exist is skipped (said at start).
  std::string mtc_conf = "/etc/mtc.conf";
  std::string mtc_ini = "/etc/mtc.ini";
  std::string platform_conf = "/etc/platform/platform.conf";
};

// Authenticated pulses (messages/pulse_auth.hpp); the same on every host of a cluster.
struct pulse_auth_config {
  wire::auth_mode mode = wire::auth_mode::off;
  std::string key_file = "/etc/hbs/pulse.key"; // hex, 32..64 bytes; needed unless off
  uint32_t max_skew_ms = 10000;                // signatures older or newer are replays
};

enum class agent_mode : uint8_t { standalone, starlingx };

struct agent_config {
  std::string controller; // this controller's host name
  agent_mode mode = agent_mode::standalone;
  uint32_t period_ms = 100;
  thresholds limits;
  bool clstr_degrade_only = false;
  bool standard_system = true; // false on all-in-one systems
  std::vector<network_config> networks; // management first
  std::vector<host_config> hosts;
  std::string state_dir = "/var/lib/hbs";
  std::string log_dir; // empty: log to stderr only
  std::string log_level = "info";
  std::vector<std::string> log_categories; // clog, clog1, clog2, clog3, mlog
  uint32_t events_max_mb = 16; // events.jsonl rotates past this size (0: never)
  uint32_t events_keep = 4;    // rotated events files kept (events.jsonl.1 .. .N)
  std::string control_socket = "/run/hbs/agent.sock"; // hbsctl's way in (AF_UNIX)
  std::string control_group = "hbs";    // may inspect too (if the group exists)
  std::string control_token = "/var/lib/hbs/control.token"; // commands need it (root: 0600)
  bool active = true;                          // seeds the designation (starts inactive)
  failure_action action = failure_action::fail;
  uint32_t mnfa_threshold = 2;                 // 2..100 hosts
  uint32_t mnfa_threshold_percent = 0;         // 0: off; 1..100 percent of monitored hosts
  uint32_t mnfa_timeout_s = 0;                 // 0: never; 100..86400
  std::string lock_file = "/var/run/.node_locked"; // present: this controller is locked
  uint32_t scheduling_priority = 1;            // SCHED_RR 1..99; 0: normal policy
  sm_config sm;
  metrics_config metrics;
  std::vector<hook_config> hooks;
  peer_config peer;
  pulse_auth_config pulse_auth;
  starlingx_config starlingx;
  bool under_mtc() const { return mode == agent_mode::starlingx; }

  uint32_t controller_number() const { return controller == "controller-0" ? 0 : 1; }
  const network_config* network(uint8_t index) const;
  std::string peer_name() const;
  mnfa_config mnfa() const { return {mnfa_threshold, mnfa_threshold_percent, mnfa_timeout_s}; }
};

struct client_config {
  std::string host;
  std::vector<network_config> networks;
  // pmond's alive pulses (StarlingX: 2109); 0: none, the process-monitor flag stays on
  uint16_t pmon_port = 2109;
  // pmond's active monitor (StarlingX: 2202, answers to 2200); 0: off. Unset, it follows
  // pmon_port: 2202 where pmond runs, off where it does not.
  uint16_t amon_port = 2202;
  uint16_t amon_reply_port = 2200;
  std::string amon_name = "hbs-client"; // the `process` of pmond's conf for this client
  std::string pid_file;                 // for pmond's process-death watch; empty: none
  std::string mtc_address; // "controller": MONITOR_READY every 5 s; empty: not sent
  uint16_t mtc_port = 2101; // mtc_rx_mgmnt_port
  uint32_t scheduling_priority = 45; // SCHED_RR 1..99 (StarlingX: 45); 0: normal policy
  std::string log_dir;
  std::string log_level = "info";
  std::vector<std::string> log_categories;
  pulse_auth_config pulse_auth;
};

template <class T>
struct loaded {
  T config;
  std::vector<std::string> problems; // one line each: key, value, what is allowed
  std::vector<std::string> notes;    // what was read from where, for the start-up log
  bool ok() const { return problems.empty(); }
};

loaded<agent_config> parse_agent_config(std::string_view toml_text, std::string_view source);
loaded<client_config> parse_client_config(std::string_view toml_text, std::string_view source);
loaded<agent_config> load_agent_config(const std::string& path);
loaded<client_config> load_client_config(const std::string& path);

// Semantic checks after parsing (ranges that span keys, duplicates, addresses).
void validate(const agent_config& c, std::vector<std::string>& problems);
void validate(const client_config& c, std::vector<std::string>& problems);
// Period and thresholds as the file allows them; "" when valid, else one problem line.
std::string check_tuning(uint32_t period_ms, const thresholds& t);

// What a SIGHUP takes from the file: each of period and thresholds edited since the file was
// last read (0 where not edited: the value in force, perhaps set by hbsctl, is kept) and
// whether the failure action was edited. An edit is a command even where it restates the
// value in force.
struct file_edits {
  uint32_t period_ms = 0, minor = 0, degrade = 0, loss = 0;
  bool action = false;
  bool tuning() const { return period_ms || minor || degrade || loss; }
};
file_edits edits(const agent_config& was, const agent_config& now);
bool valid_host_name(std::string_view name);

bool is_ipv4(std::string_view s);
bool is_loopback(std::string_view ipv4);
bool is_multicast(std::string_view ipv4);

} // namespace hbs::cfg
