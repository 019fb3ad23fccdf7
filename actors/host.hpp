#pragma once
// One monitored host: a liveness per network, fed verdicts by the network actors; reports
// transitions as events. Only set events are gated by the agent's role (reference §1.2).

#include <array>
#include <optional>
#include <string>

#include "actors/interfaces.hpp"
#include "actors/liveness.hpp"
#include "actors/state_tally.hpp"
#include "config/config.hpp"

namespace hbs {

struct host_setup {
  std::string name;
  cfg::host_type type = cfg::host_type::worker;
  std::string controller; // this agent's controller name, for events
  bool active = true;
  thresholds limits;
  std::array<bool, 2> networks{true, false}; // which networks monitor this host
  bool clstr_degrade_only = false;
  bool standard_system = true;
  events_actor events;
  vault_actor vault;   // change reasons for SM; may be unset in tests
  alarms_actor alarms; // may be unset in tests
  mnfa_actor mnfa;     // may be unset in tests
  state_sink states;   // told each change of state per network; may be unset in tests
  uint32_t period_ms = 100; // updated from every verdict (pulse_result::period_ms)
};

struct host_state {
  host_setup setup;
  std::array<std::optional<liveness>, 2> nets;
  std::array<uint32_t, 2> flags{};
  std::array<host_health, 2> told{host_health::none, host_health::none}; // to setup.states
  bool monitored = false;
  bool recheck_loss = false;  // MNFA ended while this host was lost: re-report if silent
  bool pmond_absent = false;  // the process-monitor flag is missing from responses
  bool pmond_raised = false;
  uint32_t stall_flags = 0;   // the client's stall-monitor bits as last seen (§3.3)
  caf::actor_clock::time_point pmond_since{}; // when the flag went missing
  static inline const char* name = "host";
};

host_actor::behavior_type host_fn(host_actor::stateful_pointer<host_state> self, host_setup s);

} // namespace hbs
