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

// One monitored host: runs liveness per network and reports transitions as events.
using host_actor = caf::typed_actor<
  caf::reacts_to<pulse_result>,                     // a network's verdict for one period
  caf::reacts_to<start_atom>,                       // monitoring on: counters reset
  caf::reacts_to<stop_atom>,                        // monitoring off
  caf::reacts_to<role_atom, bool>,                  // this agent is active (true) or not
  caf::replies_to<status_atom>::with<host_status>>; // liveness per network

// One monitored network: period timer, request out, responses in, attendance.
using network_actor = caf::typed_actor<
  caf::reacts_to<tick_atom>,                             // period boundary
  caf::reacts_to<readable_atom>,                         // the socket has datagrams
  caf::reacts_to<watch_atom, std::string, std::string, host_actor>, // expect name at address
  caf::reacts_to<unwatch_atom, std::string>,             // stop expecting a host
  caf::reacts_to<period_atom, uint32_t>,                 // new period in ms
  caf::replies_to<status_atom>::with<network_counters>,  // counters and drops per reason
  caf::replies_to<hosts_atom>::with<std::vector<net_host_row>>>; // per-host counters

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
  caf::replies_to<events_atom, uint32_t>::with<std::vector<event>>>;

// hbs-client, one per network: answers requests with the other controller's history.
using responder_actor = caf::typed_actor<
  caf::reacts_to<readable_atom>,  // the socket has requests
  caf::reacts_to<pmond_atom, bool>>; // process monitor alive or not

// hbs-client: counts local process-monitor alive pulses in 5 s windows.
using alive_monitor_actor = caf::typed_actor<
  caf::reacts_to<readable_atom>,
  caf::reacts_to<tick_atom>>;

} // namespace hbs

CAF_BEGIN_TYPE_ID_BLOCK(hbs_actors, caf::id_block::hbs_messages::end)
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::events_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::host_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::network_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::controller_actor))
  CAF_ADD_TYPE_ID(hbs_actors, (hbs::responder_actor))
CAF_END_TYPE_ID_BLOCK(hbs_actors)
