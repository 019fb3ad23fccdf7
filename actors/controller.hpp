#pragma once
// The agent's root actor: holds the control state (inventory, failure action, designation,
// tuning, locks: actors/control_state), spawns (linked) the events, alarms, MNFA, vault, SM
// gateway, store, peer link, network and host actors, applies every change, whether an
// operator's or the peer's, the same way, persists it and replicates it. Never reads files
// or settings: the supervisor in runtime/ hands it validated config, the loaded state and
// open sockets.
//
// Role safety: an agent starts inactive and becomes active only when the designation names
// it and either the peer's state has been seen (link up), the peer stayed unreachable for
// the hold-off, or an operator activated it here. ARCHITECTURE.md argues why at most one
// agent is active outside an operator's explicit activate during a partition.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/control_state.hpp"
#include "actors/interfaces.hpp"
#include "actors/network.hpp"
#include "actors/state_tally.hpp"
#include "config/config.hpp"
#include "messages/pulse_auth.hpp"
#include "runtime/hook_runner.hpp"
#include "runtime/beat.hpp"
#include "runtime/datagram.hpp"

namespace hbs {

struct controller_setup {
  cfg::agent_config config;
  std::vector<std::shared_ptr<datagram_socket>> sockets; // one per config.networks entry
  std::shared_ptr<datagram_socket> sm_socket;            // null: no SM gateway
  // starlingx mode: mtcAgent's commands in, events out (null: no mtcAgent door), and the
  // socket to mtcalarmd (null: the same one).
  std::shared_ptr<datagram_socket> mtc_socket;
  std::shared_ptr<datagram_socket> mtc_alarm_socket;
  std::string events_path;                               // empty: events kept in memory
  int64_t events_max_bytes = 16 << 20;                   // rotate past this (0: never)
  uint32_t events_keep = 4;                              // rotated files kept
  std::shared_ptr<hook_runner> hooks;                    // event hooks; null: none
  std::string alarms_path;                               // empty: alarms not persisted
  std::string alarms_json;                               // the table read at start
  // Daemon: SM answers, state writes, the events file, the alarm table and peer connects
  // each get a thread of their own, so a busy scheduler, a slow disk or a silent peer never
  // delay each other, nor hold a scheduler of one worker (runtime/scheduling.hpp).
  bool own_threads = false;
  std::string control_path;                // empty: the control state is not persisted
  std::optional<control_state> control;    // loaded by the supervisor; empty: from config
  // false: the peer link is not dialled; its gateway's handle is handed to it (one process,
  // in tests). The hold-off still applies when config.peer.address is set.
  bool dial_peer = true;
  bool peer_tls = false; // the link runs over CAF's OpenSSL module
  uint32_t peer_protocol = hbs::peer_protocol; // another only in tests of a mixed pair
  std::shared_ptr<const wire::pulse_gate> pulse_auth; // null: pulses unsigned
  // One per config.networks entry (or none): each network beats when it closes a period.
  std::vector<std::shared_ptr<beat>> progress;
  // Round-trip stamps a second per network (network.hpp); tests lower it.
  size_t rtt_stamps_per_s = hbs::rtt_stamp_budget;
  // The wall clock (ms) the control state's stamps keep up with (control_state::next); null:
  // the system clock. Tests pass their simulated one.
  std::function<int64_t()> wall_ms;
};

struct controller_state {
  controller_setup setup;
  std::optional<control_state> control;
  events_actor events;
  vault_actor vault;
  sm_gateway_actor gateway;
  mtc_gateway_actor mtc;
  peer_actor peer;
  alarms_actor alarms;
  mnfa_actor mnfa;
  store_actor store;
  std::vector<std::pair<uint8_t, network_actor>> networks;
  std::map<std::string, host_actor> hosts;  // one per host present in the inventory
  state_tally states;                       // their states per network, as they report
  bool active = false;
  bool role_settled = false; // the peer's state seen, the hold-off over, or activated here
  bool link_up = false;
  bool file_locked = false;  // the lock file exists (the supervisor polls it)
  bool locked = false;       // file or operator lock in force
  bool backed_off = false;   // MNFA: period x4
  uint64_t epoch = ~uint64_t{0}; // the designation epoch events were last told
  std::string persisted;    // the control state as the store last wrote it
  uint64_t durable_generation = 0; // the clock as the store last wrote it (or loaded it)
  uint64_t writing_generation = 0; // the clock of the write on its way
  uint64_t last_stamp = 0;         // the generation of the last stamp this agent took
  // when_durable's callers: each runs once the clock written reaches its generation (or the
  // write that would have reached it failed).
  std::vector<std::pair<uint64_t, std::function<void(const std::string&)>>> durable_waiters;
  bool holdoff_noted = false;      // "waiting for the peer's state" logged
  bool retry_scheduled = false;
  bool writing = false;     // a write of the control state is on its way to the store
  bool write_again = false; // changed since that write's text was taken
  std::vector<std::function<void(const std::string&)>> awaiting; // the next write's callers
  bool stopping = false;    // an exit came: the last write is on its way, then the children
  uint64_t num_syncs = 0;
  uint64_t num_refused = 0;
  caf::actor_clock::time_point born{};
  caf::actor_clock::time_point link_down_since{};
  caf::actor_clock::time_point link_up_since{};
  static inline const char* name = "controller";
};

using controller_ptr = controller_actor::stateful_pointer<controller_state>;

// A write of the control state the store has not answered by then failed (retried).
constexpr auto store_timeout = std::chrono::seconds{10};
// How long a restarted agent, linked, waits for the peer's state before its own persisted
// designation decides: the peer's state waits for at most two writes of the peer's (the one
// on its way and the next, see when_durable), and a peer still holding a link from before
// this agent's restart takes its keepalive (5 s) to redial; a second more.
constexpr auto peer_state_due = 2 * store_timeout + std::chrono::seconds{6};

controller_actor::behavior_type controller_fn(controller_ptr self, controller_setup s);

// controller_ops.cpp: every change of the control state goes through take(): merged,
// applied to the actors, persisted, then sent to the peer (the reply waits for the write).
caf::result<std::string> take(controller_ptr self, control_snapshot delta, std::string done);
// The same, answering through a promise made earlier (after a hand-over, say).
void take_then(controller_ptr self, control_snapshot delta, std::string done,
               caf::typed_response_promise<std::string> rp);
// A change the peer sent: merged and applied, persisted, not sent back.
void from_peer(controller_ptr self, const control_snapshot& s);
// The wall clock the control state's stamps keep up with (setup.wall_ms or the system's).
uint64_t wall_now(controller_ptr self);
// Writes the control state unless the store already has it; `done` gets "" or the error.
// A failed write is tried again every second until it succeeds.
void persist(controller_ptr self, std::function<void(const std::string&)> done);
// Runs `fn` once the clock is on disk past this agent's last stamp: at once when it already
// is, else when the write holding it ends (the one on its way, or the next), with "" or
// that write's error. What this agent stamped
// leaves it through here, so a stamp the peer holds is never taken again by a restart of
// this agent for another value (equal stamps never replace each other: the agents would
// stay apart).
void when_durable(controller_ptr self, std::function<void(const std::string&)> fn);
// Sends `s` to the peer through when_durable. A failed write (the operator is told, the
// store retries) does not keep it from the peer: a broken disk must not part the agents.
void share(controller_ptr self, control_snapshot s);
// Actors for the hosts, networks and roles the state describes (at start: everything).
void apply_all(controller_ptr self);
void evaluate_role(controller_ptr self);
void set_backoff(controller_ptr self, bool on);
void apply_lock(controller_ptr self);

// controller_commands.cpp: the operator commands (hbsctl, SIGHUP), validated.
caf::result<std::string> add_host(controller_ptr self, const std::string& name,
                                  cfg::host_type type, const std::string& mgmt,
                                  const std::string& clstr);
// mtcAgent's ADD/MOD: a known host takes the new type and addresses (reference §5.7) and
// stays monitored if it was (a moved host's actor is replaced and, unless the failure
// action is none, its alarms cleared, as apply_host does for any changed record); an
// unknown one is added.
caf::result<std::string> put_host(controller_ptr self, const std::string& name,
                                  cfg::host_type type, const std::string& mgmt,
                                  const std::string& clstr);
caf::result<std::string> del_host(controller_ptr self, const std::string& name);
// `restate`: stamped also when the host is already so (an operator's word, not mtcAgent's).
caf::result<std::string> set_started(controller_ptr self, const std::string& name, bool on,
                                     bool restate = true);
caf::result<std::string> activate(controller_ptr self, const std::string& name);
caf::result<std::string> set_action(controller_ptr self, cfg::failure_action action);
// Zero fields keep their current value.
caf::result<std::string> set_tuning(controller_ptr self, tuning t);
caf::result<std::string> set_lock(controller_ptr self, bool on);
caf::result<std::string> period_command(controller_ptr self, const std::string& what);
// SIGHUP: what was edited in the file since it was last read (tuning, action, or both;
// zero fields keep their current value). An operator's command: stamped even where this
// agent has the value already.
caf::result<std::string> reload(controller_ptr self, tuning t, bool tune_changed,
                                cfg::failure_action action, bool action_changed);

// controller_service.cpp: status, dumps, shutdown.
caf::result<agent_status> status(controller_ptr self);
// Host actors a host query asks at a time. A gather that asked them all at once put every
// host's job in the scheduler's queue ahead of the networks' ticks and reads (10,000 hosts:
// ~0.25 s of jobs for the networks to wait behind); asked in a window, the networks'
// messages get a thread between the hosts' answers.
constexpr size_t hosts_in_flight = 64;
caf::result<std::vector<host_status>> hosts(controller_ptr self);
caf::result<host_status> host(controller_ptr self, const std::string& name);
void dump_state(controller_ptr self, const std::string& why,
                std::function<void(std::string)> deliver);
void stop_children(controller_ptr self, const caf::error& reason);
std::string role_note(controller_ptr self);

} // namespace hbs
