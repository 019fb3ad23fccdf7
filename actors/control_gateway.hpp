#pragma once
// What hbsctl reaches: inspection, and the operator's commands when they carry the control
// credential (compared in constant time). A separate actor, because CAF delivers whatever a
// remote party sends to a published actor: this one understands control_actor's messages
// only, and hands each to the controller without the credential.

#include <string>

#include "actors/interfaces.hpp"

namespace hbs {

struct control_gateway_state {
  controller_actor controller;
  std::string token;       // the control token the agent created or read at start
  uint64_t num_refused = 0; // commands with a wrong or missing credential
  static inline const char* name = "control_gateway";
};

// Monitors the controller and ends with it.
control_actor::behavior_type
control_gateway_fn(control_actor::stateful_pointer<control_gateway_state> self,
                   controller_actor controller, std::string token);

} // namespace hbs
