#pragma once
// The system map: every actor of hbs and the messages it handles, one line each.
// Start here. Data flow (ARCHITECTURE.md §3): network -> host -> events; controller owns all.

#include <cstdint>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "messages/type_ids.hpp"

namespace hbs {

// Records events: log line, JSON line in <state_dir>/events.jsonl, a ring for hbsctl.
using events_actor = caf::typed_actor<
  caf::reacts_to<event>,                                           // record one event
  caf::replies_to<events_atom, uint32_t>::with<std::vector<event>>, // newest N events
  caf::replies_to<flush_atom>::with<bool>>;                        // fsync the events file

// Heartbeat alarms 200.005/200.009/200.006: raised and cleared only by the active agent,
// persisted atomically, copied to the inactive agent over the peer link.
using alarms_actor = caf::typed_actor<
  caf::reacts_to<raise_atom, std::string, std::string, uint8_t>, // id, host, severity
  caf::reacts_to<clear_atom, std::string, std::string>,          // id, host
  caf::reacts_to<clear_atom, std::string>,                       // every alarm of a host
  caf::reacts_to<clear_atom>,                                    // bulk clear
  caf::reacts_to<role_atom, bool>,                               // active: act; else watch
  caf::reacts_to<table_atom, std::string>,                       // the active agent's table
  caf::reacts_to<flush_atom>,                                    // write pending changes
  caf::replies_to<alarms_atom>::with<std::vector<alarm_view>>>;

// Multi-node failure avoidance: tallies hosts in minor, enters/exits MNFA, decides which
// losses fail a host (the failure action), backs the period off x4 on both agents.
using mnfa_actor = caf::typed_actor<
  caf::reacts_to<tally_atom, std::string, uint8_t, bool>,  // host in/out of a net's tally
  caf::reacts_to<loss_atom, std::string, uint8_t>,         // host lost on a network
  caf::reacts_to<forget_atom, std::string>,                // host stopped or deleted
  caf::reacts_to<monitored_atom, uint32_t>,                // hosts monitored now
  caf::reacts_to<role_atom, bool>,                         // active: decide; else follow
  caf::reacts_to<action_atom, std::string>,                // failure action changed
  caf::reacts_to<mnfa_atom, std::string>,                  // the active agent's decision
  caf::reacts_to<timeout_atom, uint64_t>,                  // mnfa_timeout (episode)
  caf::reacts_to<recover_atom, uint64_t>,                  // restore the period (episode)
  caf::reacts_to<loss_atom, std::vector<std::string>>,     // recheck hosts lost in MNFA
  caf::reacts_to<period_atom, uint32_t>,                   // current period, for display
  caf::replies_to<mnfa_atom>::with<mnfa_view>>;

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
  caf::replies_to<status_atom>::with<std::vector<uint64_t>>>; // see agent_status::sm

// The cluster history (reference §4): own and peer histories, SM heartbeat, pushes.
using vault_actor = caf::typed_actor<
  caf::replies_to<period_summary>::with<wire::cluster_block>, // a network closed a period;
                                                      // reply: own histories to send next
  caf::reacts_to<reason_atom, std::string>,           // a change worth telling SM
  caf::reacts_to<sm_beat_atom>,                       // an SM alive pulse (reqid 0)
  caf::reacts_to<lock_atom, bool>,                    // this controller locked / unlocked
  caf::reacts_to<peer_atom>,                          // the peer controller is monitored
  caf::reacts_to<period_atom, uint32_t>,              // configured period changed
  caf::reacts_to<network_atom, network_actor>,        // send own histories to this network
  caf::reacts_to<sm_atom, sm_gateway_actor>,          // push changes through this gateway
  caf::replies_to<query_atom, uint16_t>::with<std::vector<uint8_t>>, // SM wire reply, reqid
  caf::reacts_to<dump_atom, std::string>,             // log the vault (why: loss, audit...)
  caf::replies_to<vault_atom>::with<vault_view>>;     // for hbsctl

// The agent's root: inventory, spawns and owns every other actor, answers hbsctl.
using controller_actor = caf::typed_actor<
  caf::replies_to<status_atom>::with<agent_status>,
  caf::replies_to<hosts_atom>::with<std::vector<host_status>>,
  caf::replies_to<host_atom, std::string>::with<host_status>,
  // add NAME TYPE MGMT_ADDR CLSTR_ADDR (empty: none); replies with a one-line result
  caf::replies_to<add_atom, std::string, std::string, std::string, std::string>::with<
    std::string>,
  caf::replies_to<del_atom, std::string>::with<std::string>,
  caf::replies_to<start_atom, std::string>::with<std::string>,
  caf::replies_to<stop_atom, std::string>::with<std::string>,
  caf::replies_to<events_atom, uint32_t>::with<std::vector<event>>,
  caf::replies_to<vault_atom>::with<vault_view>,
  caf::replies_to<role_atom>::with<std::string>,           // "active" or "inactive"
  caf::replies_to<activate_atom, std::string>::with<std::string>, // NAME is the active one
  caf::replies_to<lock_atom, bool>::with<std::string>,     // lock / unlock this controller
  caf::replies_to<peer_atom>::with<peer_status>,           // link to the other agent
  caf::reacts_to<replica_atom, replica>,                   // a command the other agent took
  caf::reacts_to<link_atom, bool>,                         // peer link up / down
  caf::reacts_to<backoff_atom, bool>,                      // MNFA: period x4 / restored
  caf::replies_to<action_atom, std::string>::with<std::string>, // set the failure action
  caf::replies_to<alarms_atom>::with<std::vector<alarm_view>>,
  caf::replies_to<mnfa_atom>::with<mnfa_view>,
  caf::reacts_to<table_atom, std::string>,                 // alarm table to replicate
  caf::replies_to<dump_atom>::with<std::string>,           // node table, vault, MNFA, alarms
  caf::reacts_to<audit_atom>,                              // hourly state audit
  // SIGHUP: period_ms, minor, degrade, loss, failure action (history and state are kept)
  caf::replies_to<reload_atom, uint32_t, uint32_t, uint32_t, uint32_t, std::string>::with<
    std::string>,
  caf::replies_to<period_atom, std::string>::with<std::string>, // show | backoff | recover
  caf::reacts_to<connect_atom, caf::actor>>;               // link to this agent directly

// Links this agent to the other controller's over CAF: connects with backoff, monitors,
// forwards replicated commands. Pulses never ride on it.
using peer_actor = caf::typed_actor<
  caf::reacts_to<connect_atom>,                        // (re)try the connection
  caf::reacts_to<tick_atom>,                           // probe the link (last contact)
  caf::reacts_to<link_atom, controller_actor>,         // use this handle (tests, same node)
  caf::reacts_to<replica_atom, replica>,               // send to the other agent
  caf::replies_to<peer_atom>::with<peer_status>>;

// hbs-client, one per network: answers requests with the other controller's history.
using responder_actor = caf::typed_actor<
  caf::reacts_to<readable_atom>,  // the socket has requests
  caf::reacts_to<pmond_atom, bool>>; // process monitor alive or not

// hbs-client: counts local process-monitor alive pulses in 5 s windows.
using alive_monitor_actor = caf::typed_actor<
  caf::reacts_to<readable_atom>,
  caf::reacts_to<tick_atom>>;

// hbs-sim: answers for many simulated hosts from one socket per network, with faults.
using sim_actor = caf::typed_actor<
  caf::reacts_to<readable_atom, uint8_t>,              // requests waiting on network N
  caf::reacts_to<readable_atom>,                       // control commands waiting
  caf::reacts_to<control_atom, std::string>,           // a fault command (scenario, tests)
  caf::reacts_to<push_atom, std::vector<uint8_t>, uint32_t, uint32_t, uint16_t>, // delayed
  caf::reacts_to<tick_atom>>;                          // progress line

} // namespace hbs

CAF_BEGIN_TYPE_ID_BLOCK(hbs_actors, caf::id_block::hbs_messages::end)
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::events_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::host_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::network_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::controller_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::responder_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::vault_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::sm_gateway_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::peer_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::alarms_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::mnfa_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::sim_actor))
CAF_END_TYPE_ID_BLOCK(hbs_actors)
