#pragma once
// Multi-node failure avoidance on the agent (reference §6.2, which StarlingX runs in
// mtcAgent). The active agent decides from its tally and applies the failure action to
// losses. The inactive one keeps its own tally and backs off when the active agent's episode
// or its own tally says so (both back off even when a management switch failure carries the
// decision away); its own episode ends when its tally clears or times out.

#include <map>
#include <optional>
#include <set>
#include <string>

#include "actors/interfaces.hpp"
#include "actors/mnfa_logic.hpp"

namespace hbs {

struct mnfa_setup {
  std::string controller;
  mnfa_config config;
  cfg::failure_action action = cfg::failure_action::fail;
  bool active = false;
  uint32_t period_ms = 100;
  events_actor events;
  controller_actor parent;        // applies the period back-off, tells the peer
  alarms_actor alarms;            // keeps the verdicts with the alarms (may be unset)
  std::vector<std::string> failed; // verdicts standing at start (from the alarm table)
};

enum class mnfa_phase : uint8_t { idle, active, recovering };

struct mnfa_state {
  mnfa_setup setup;
  std::optional<mnfa_logic> logic;
  mnfa_phase phase = mnfa_phase::idle;
  bool following = false;     // inactive: in an episode (the active agent's or its own)
  bool link_up = false;
  bool peer_deciding = false; // the peer's last report came from the active agent
  mnfa_report peer;           // ... and said this
  bool own_timed_out = false; // inactive: its own episode reached mnfa_timeout
  bool backed_off = false;    // what this actor last asked of its controller
  uint64_t episode = 0;       // invalidates timers of an earlier episode
  uint32_t monitored = 0;
  caf::actor_clock::time_point entered{};
  caf::actor_clock::time_point deadline{};
  std::map<std::string, caf::strong_actor_ptr> hosts; // who reported, for rechecks
  std::set<std::string> failed; // verdict standing (both networks lost: one verdict)
  std::set<std::string> lost;   // lost now on some network (verdict or not)
  static inline const char* name = "mnfa";
};

mnfa_actor::behavior_type mnfa_fn(mnfa_actor::stateful_pointer<mnfa_state> self, mnfa_setup s);

} // namespace hbs
