#pragma once
// The system map: every actor of hbs and the messages it handles, one line each.
// Start here. Data flow (ARCHITECTURE.md §3): network -> host -> events; controller owns all.
// It is also the security map: only control_actor and peer_gateway_actor are published.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "messages/type_ids.hpp"

namespace hbs {

// Records events: log line, JSON line in <state_dir>/events.jsonl, a ring for hbsctl, hooks,
// and (starlingx mode) each to the mtcAgent door, mtc_gateway_actor below.
using events_actor = caf::typed_actor<
  caf::reacts_to<event>,                                           // record one event
  caf::reacts_to<epoch_atom, uint64_t>,                            // designation now in force
  caf::replies_to<events_atom, uint32_t>::with<std::vector<event>>, // newest N events
  caf::replies_to<health_atom>::with<file_health>,                 // events.jsonl writes
  caf::replies_to<flush_atom>::with<bool>,                         // fsync the events file
  caf::reacts_to<reload_atom>>;                                    // SIGHUP: reopen the file

// Heartbeat alarms 200.005/200.009/200.006 and failure verdicts: raised and cleared only by
// the active agent, persisted atomically, copied to the inactive agent over the peer link.
using alarms_actor = caf::typed_actor<
  caf::reacts_to<raise_atom, std::string, std::string, uint8_t>, // id, host, severity
  caf::reacts_to<clear_atom, std::string, std::string>,          // id, host
  caf::reacts_to<clear_atom, std::string>,                       // every alarm of a host
  caf::reacts_to<clear_atom>,                                    // bulk clear
  caf::reacts_to<verdict_atom, std::string, std::string>,        // host failed / degraded
  caf::reacts_to<verdict_atom, std::string>,                     // host recovered: no verdict
  caf::reacts_to<role_atom, bool>,                               // active: act; else watch
  caf::reacts_to<table_atom, std::string>,                       // the active agent's table
  caf::reacts_to<flush_atom>,                                    // write pending changes
  caf::replies_to<table_atom>::with<std::string>,                // the table as JSON
  caf::replies_to<health_atom>::with<file_health>,               // alarms.json writes
  caf::replies_to<alarms_atom>::with<std::vector<alarm_view>>>;

// Multi-node failure avoidance: tallies hosts in minor, enters/exits MNFA, decides which
// losses fail a host (the failure action), backs the period off x4 on both agents.
using mnfa_actor = caf::typed_actor<
  caf::reacts_to<tally_atom, std::string, uint8_t, bool>,  // host in/out of a net's tally
  caf::reacts_to<loss_atom, std::string, uint8_t>,         // host lost on a network
  caf::reacts_to<forget_atom, std::string>,                // host stopped or deleted
  caf::reacts_to<monitored_atom, uint32_t>,                // hosts monitored now
  caf::reacts_to<role_atom, bool>,                         // active: decide; else follow
  caf::reacts_to<link_atom, bool>,                         // peer link up / down
  caf::reacts_to<action_atom, cfg::failure_action>,        // failure action changed
  caf::reacts_to<mnfa_atom, mnfa_report>,                  // the other agent's MNFA state
  caf::reacts_to<verdict_atom, std::vector<std::string>>,  // hosts with a verdict standing
  caf::reacts_to<timeout_atom, uint64_t>,                  // mnfa_timeout (episode)
  caf::reacts_to<recover_atom, uint64_t>,                  // restore the period (episode)
  caf::reacts_to<loss_atom, std::vector<std::string>>,     // recheck hosts lost in MNFA
  caf::reacts_to<period_atom, uint32_t>,                   // current period, for display
  caf::replies_to<mnfa_atom>::with<mnfa_view>>;

// Where a host actor reports its state per network as it changes: the controller, which
// keeps the counts by state (actors/state_tally). Narrow on purpose: a host can say only this.
using state_sink = caf::typed_actor<
  caf::reacts_to<state_atom, std::string, uint8_t, uint8_t>>; // host, network, host_health

// One monitored host: runs liveness per network and reports transitions as events.
using host_actor = caf::typed_actor<
  caf::reacts_to<pulse_result>,                     // a network's verdict for one period
  caf::reacts_to<start_atom>,                       // monitoring on: counters reset
  caf::reacts_to<stop_atom>,                        // monitoring off
  caf::reacts_to<reset_atom>,                       // failure action changed: stats cleared
  caf::reacts_to<loss_atom>,                        // MNFA ended: report a loss still standing
  caf::reacts_to<reload_atom, uint32_t, uint32_t, uint32_t>, // new minor, degrade, loss
  caf::reacts_to<tick_atom>,                        // process-monitor flag check
  caf::reacts_to<role_atom, bool>,                  // this agent is active (true) or not
  caf::replies_to<status_atom>::with<host_status>>; // liveness per network

// One monitored network: period timer, request out, responses in, attendance.
using network_actor = caf::typed_actor<
  caf::reacts_to<tick_atom>,                             // period boundary
  caf::reacts_to<readable_atom>,                         // the socket has datagrams
  caf::reacts_to<watch_atom, std::string, std::string, host_actor>, // expect name at address
  caf::reacts_to<unwatch_atom, std::string>,             // stop expecting a host
  caf::reacts_to<period_atom, uint32_t>,                 // new period in ms
  caf::reacts_to<history_atom, wire::cluster_block>,     // own histories for the next request
  caf::reacts_to<lock_atom, bool>,                       // locked: send no requests
  caf::replies_to<status_atom>::with<network_counters>,  // counters, drops, local health
  caf::replies_to<hosts_atom>::with<std::vector<net_host_row>>>; // per-host counters

// Answers the service manager on loopback UDP and forwards its alive pulses to the vault.
using sm_gateway_actor = caf::typed_actor<
  caf::reacts_to<readable_atom>,                      // SM datagrams waiting
  caf::reacts_to<push_atom, std::vector<uint8_t>>,    // vault changed: send it to SM
  caf::reacts_to<vault_atom, std::vector<uint8_t>>,   // the vault now (answers queries)
  caf::replies_to<status_atom>::with<sm_counters>>;

// The cluster history (reference §4): own and peer histories, SM heartbeat, pushes.
using vault_actor = caf::typed_actor<
  caf::replies_to<period_summary>::with<wire::cluster_block>, // a network closed a period;
                                                      // reply: own histories to send next
  caf::reacts_to<reason_atom, std::string>,           // a change worth telling SM
  caf::reacts_to<push_atom>,                          // push the reasons that came in since
  caf::reacts_to<sm_beat_atom>,                       // an SM alive pulse (reqid 0)
  caf::reacts_to<lock_atom, bool>,                    // this controller locked / unlocked
  caf::reacts_to<peer_atom>,                          // the peer controller is monitored
  caf::reacts_to<period_atom, uint32_t>,              // configured period changed
  caf::reacts_to<network_atom, network_actor>,        // send own histories to this network
  caf::reacts_to<sm_atom, sm_gateway_actor>,          // push changes through this gateway
  caf::replies_to<query_atom, uint16_t>::with<std::vector<uint8_t>>, // SM wire reply, reqid
  caf::reacts_to<dump_atom, std::string>,             // log the vault (why: loss, audit...)
  caf::replies_to<vault_atom>::with<vault_view>>;     // for hbsctl

// mtcAgent's door in starlingx mode (reference §5.7, §5.8, §7): its UDP commands go to the
// controller as inventory, role and back-off changes; heartbeat events go back to it in
// the 1060-byte layout; alarm changes go to mtcalarmd as JSON. Bad commands are counted.
using mtc_gateway_actor = caf::typed_actor<
  caf::reacts_to<readable_atom>,                   // mtcAgent commands waiting
  caf::reacts_to<event>,                           // a heartbeat event: to mtcAgent
  caf::reacts_to<raise_atom, alarm_view>,          // an alarm raised here: to mtcalarmd
  caf::reacts_to<clear_atom, alarm_view>,          // an alarm cleared here: to mtcalarmd
  caf::reacts_to<tick_atom>,                       // READY, until the inventory arrives
  caf::replies_to<status_atom>::with<mtc_counters>>;

// Writes <state_dir>/control.json atomically (on its own thread in the daemon).
using store_actor = caf::typed_actor<
  caf::replies_to<store_atom, std::string>::with<std::string>, // write it; reply: "" or why not
  caf::replies_to<health_atom>::with<file_health>>;

// ---- What a remote party can ask: the two published interfaces -------------------------

// Inspection: what hbsctl may ask of the agent over its control socket, no credential.
using control_reads = caf::typed_actor<
  caf::replies_to<status_atom>::with<agent_status>,
  caf::replies_to<hosts_atom>::with<std::vector<host_status>>,
  caf::replies_to<host_atom, std::string>::with<host_status>,
  caf::replies_to<events_atom, uint32_t>::with<std::vector<event>>,
  caf::replies_to<vault_atom>::with<vault_view>,
  caf::replies_to<role_atom>::with<agent_role>,
  caf::replies_to<peer_atom>::with<peer_status>,
  caf::replies_to<alarms_atom>::with<std::vector<alarm_view>>,
  caf::replies_to<mnfa_atom>::with<mnfa_view>,
  caf::replies_to<dump_atom>::with<std::string>,           // node table, vault, MNFA, alarms
  caf::replies_to<period_atom>::with<std::string>>;        // current period and back-off

// Published to hbsctl on the control socket (runtime/control_socket): inspection, and the
// operator's commands, each carrying the control credential (the token only root reads).
// The gateway checks it; the controller validates, persists and replicates.
using control_actor = control_reads::extend<
  // add NAME TYPE MGMT_ADDR CLSTR_ADDR (empty: none); replies with a one-line result
  caf::replies_to<add_atom, credential, std::string, cfg::host_type, std::string,
                  std::string>::with<std::string>,
  caf::replies_to<del_atom, credential, std::string>::with<std::string>,
  caf::replies_to<start_atom, credential, std::string>::with<std::string>,
  caf::replies_to<stop_atom, credential, std::string>::with<std::string>,
  caf::replies_to<activate_atom, credential, std::string>::with<std::string>, // NAME active
  caf::replies_to<lock_atom, credential, bool>::with<std::string>,  // this controller
  caf::replies_to<action_atom, credential, cfg::failure_action>::with<std::string>,
  caf::replies_to<tune_atom, credential, tuning>::with<std::string>, // 0 fields: keep
  caf::replies_to<backoff_atom, credential, bool>::with<std::string>>; // x4 / restore

// Published to the other controller's agent (peer port): replication and role exchange
// only. Everything that arrives is checked before the controller sees it.
using peer_gateway_actor = caf::typed_actor<
  caf::reacts_to<sync_atom, control_snapshot>, // its control state: all, or one change
  caf::reacts_to<table_atom, std::string>,     // the active agent's alarm table (JSON)
  caf::reacts_to<mnfa_atom, mnfa_report>,      // its MNFA episode and back-off
  // first on the link, both ways: its own gateway and peer protocol; admits its node (the
  // dialer's also makes this side link back to it; peer.hpp)
  caf::reacts_to<hello_atom, caf::actor_addr, uint32_t>,
  // an operator activated it: take this designation (naming it) and step down; reply once
  // this agent is inactive, so the two are never active at once
  caf::replies_to<handoff_atom, control_snapshot>::with<bool>,
  caf::replies_to<ping_atom>::with<uint64_t>, // last-contact probe; reply: messages taken
  // asked before anything else crosses: its peer protocol and hbs version (peer.hpp)
  caf::replies_to<protocol_atom>::with<uint32_t, std::string>>;

// ---- Internal -------------------------------------------------------------------------

// The agent's root: the control state, spawns and owns every other actor. Its commands
// are control_actor's without the credential (the control gateway checked it; tests and
// the supervisor's SIGHUP reach it directly); the rest are notices from its own children,
// the peer gateway and the supervisor. Never published.
using controller_actor = control_reads::extend<
  caf::replies_to<add_atom, std::string, cfg::host_type, std::string, std::string>::with<
    std::string>,
  // mtcAgent's ADD and MOD (starlingx mode): add, or give a known host the new type and
  // addresses (reference §5.7); hbsctl's add refuses a known host instead.
  caf::replies_to<add_atom, std::string, cfg::host_type, std::string, std::string,
                  bool>::with<std::string>,
  caf::replies_to<del_atom, std::string>::with<std::string>,
  caf::replies_to<start_atom, std::string>::with<std::string>,
  caf::replies_to<stop_atom, std::string>::with<std::string>,
  // mtcAgent's START and STOP: a host already so is left unstamped (mtcAgent restates them
  // after every restart); hbsctl's stamp a restated value (it may outrank the peer's).
  caf::replies_to<start_atom, std::string, bool>::with<std::string>,
  caf::replies_to<stop_atom, std::string, bool>::with<std::string>,
  caf::replies_to<activate_atom, std::string>::with<std::string>,
  caf::replies_to<lock_atom, bool>::with<std::string>,
  caf::replies_to<action_atom, cfg::failure_action>::with<std::string>,
  caf::replies_to<tune_atom, tuning>::with<std::string>,
  caf::replies_to<backoff_atom, bool>::with<std::string>,  // operator: period x4 / restored
  caf::reacts_to<peer_atom, control_snapshot>,             // the peer's state (gateway)
  caf::reacts_to<peer_atom, std::string>,                  // the peer's alarm table
  caf::reacts_to<peer_atom, mnfa_report>,                  // the peer's MNFA state
  caf::reacts_to<peer_atom, caf::actor_addr>,              // the peer dialed in: its gateway
  caf::replies_to<handoff_atom, control_snapshot>::with<bool>, // the peer takes over
  caf::reacts_to<hello_atom, caf::actor_addr>,             // this agent's own peer gateway
  caf::reacts_to<state_atom, std::string, uint8_t, uint8_t>, // a host's state changed
  caf::reacts_to<link_atom, bool>,                         // peer link up / down
  caf::reacts_to<holdoff_atom>,                            // unsettled role: look again
  caf::reacts_to<mnfa_atom, bool>,                         // own MNFA: period x4 / restored
  caf::reacts_to<mnfa_atom, mnfa_report>,                  // own MNFA changed: tell the peer
  caf::reacts_to<table_atom, std::string>,                 // own alarm table: to the peer
  caf::reacts_to<flock_atom, bool>,                        // the lock file appeared / went
  caf::reacts_to<store_atom>,                              // retry a failed state write
  caf::reacts_to<audit_atom>,                              // hourly state audit
  // SIGHUP: the file's period, thresholds (0: not edited) and failure action, each if edited
  caf::replies_to<reload_atom, tuning, bool, cfg::failure_action, bool>::with<std::string>>;

// Links this agent to the other controller's peer gateway over CAF: connects with backoff
// (management address, then the cluster-host one), monitors it, sends what the controller
// replicates. Pulses never ride on it.
using peer_actor = caf::typed_actor<
  caf::reacts_to<connect_atom>,                        // (re)try the connection
  caf::reacts_to<tick_atom>,                           // probe the link (last contact)
  caf::reacts_to<link_atom, peer_gateway_actor>,       // use this gateway (it dialed in)
  caf::reacts_to<hello_atom, caf::actor_addr>,         // own gateway, announced when dialing
  caf::reacts_to<sync_atom, control_snapshot>,         // to the peer
  caf::reacts_to<table_atom, std::string>,             // to the peer
  caf::reacts_to<mnfa_atom, mnfa_report>,              // to the peer
  caf::replies_to<handoff_atom, control_snapshot>::with<bool>, // to the peer; error: link down
  caf::replies_to<peer_atom>::with<peer_status>>;

// hbs-client has no actors: its responder (one per network) and process-monitor watch are
// plain objects on its socket thread (actors/responder.hpp), so a host runs two threads.

// hbs-sim: answers for many simulated hosts from one socket per network, with faults.
using sim_actor = caf::typed_actor<
  caf::reacts_to<readable_atom, uint8_t>,              // requests waiting on network N
  caf::reacts_to<readable_atom>,                       // control commands waiting
  caf::reacts_to<control_atom, std::string>,           // a fault command (scenario, tests)
  caf::reacts_to<push_atom, std::vector<uint8_t>, uint32_t, uint32_t, uint16_t>, // delayed
  caf::reacts_to<watch_atom, uint8_t>,                 // answer network N from now on
  caf::replies_to<unwatch_atom, uint8_t>::with<bool>,  // stop answering it (then handed back)
  caf::reacts_to<tick_atom>>;                          // progress line

} // namespace hbs

CAF_BEGIN_TYPE_ID_BLOCK(hbs_actors, caf::id_block::hbs_messages::end)
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::events_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::host_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::network_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::controller_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::control_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::control_reads))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::peer_gateway_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::store_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::vault_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::sm_gateway_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::peer_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::alarms_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::mnfa_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::sim_actor))
CAF_END_TYPE_ID_BLOCK(hbs_actors)
