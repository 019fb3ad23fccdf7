#pragma once
// Heartbeat alarms (reference §7) and failure verdicts: the active agent raises and clears
// them, persists the table atomically in the state directory and hands it to its controller
// to copy to the inactive agent. The inactive agent only keeps that copy (its own requests
// are logged). The controller tells MNFA which verdicts stand: at start and with every copy.

#include <string>

#include "actors/alarm_table.hpp"
#include "actors/interfaces.hpp"

namespace hbs {

struct alarms_setup {
  std::string controller;
  bool active = false;
  std::string path;        // empty: not persisted (tests)
  std::string loaded_json; // the table read at start by the supervisor
  events_actor events;
  controller_actor parent; // copies the table to the other agent
  mtc_gateway_actor mtc;   // starlingx mode: every change also goes to mtcalarmd
};

struct alarms_state {
  alarms_setup setup;
  alarm_table table;
  bool dirty = false;          // changed since the last write
  bool flush_scheduled = false;
  uint64_t num_writes = 0;
  file_health health;
  caf::actor_clock::time_point failing_since{};
  ~alarms_state();             // a change not yet written is written on the way out
  static inline const char* name = "alarms";
};

alarms_actor::behavior_type alarms_fn(alarms_actor::stateful_pointer<alarms_state> self,
                                      alarms_setup s);

} // namespace hbs
