#pragma once
// Multi-node failure avoidance on the agent (reference §6.2, which StarlingX runs in
// mtcAgent): decides on the active agent, follows the active agent's decisions on the
// inactive one while keeping its own tally, applies the failure action to losses.

#include <map>
#include <set>
#include <optional>
#include <string>

#include "actors/interfaces.hpp"
#include "actors/mnfa_logic.hpp"

namespace hbs {

struct mnfa_setup {
  std::string controller;
  mnfa_config config;
  std::string action = "fail"; // fail | degrade | alarm | none
  bool active = false;
  uint32_t period_ms = 100;
  events_actor events;
  controller_actor parent; // applies the period back-off on both agents
};

enum class mnfa_phase : uint8_t { idle, active, recovering };

struct mnfa_state {
  mnfa_setup setup;
  std::optional<mnfa_logic> logic;
  mnfa_phase phase = mnfa_phase::idle;
  bool followed = false;     // the active agent says the cluster is in MNFA
  uint64_t episode = 0;      // invalidates timers of an earlier episode
  uint32_t monitored = 0;
  caf::actor_clock::time_point entered{};
  caf::actor_clock::time_point deadline{};
  std::map<std::string, caf::strong_actor_ptr> hosts; // who reported, for rechecks
  std::set<std::string> failed; // failed once already (both networks lost: one verdict)
  static inline const char* name = "mnfa";
};

mnfa_actor::behavior_type mnfa_fn(mnfa_actor::stateful_pointer<mnfa_state> self, mnfa_setup s);

} // namespace hbs
