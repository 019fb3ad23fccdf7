#pragma once
// What hbsctl reaches: the controller's operator interface and nothing else. A separate
// actor, because CAF delivers whatever a remote party sends to a published actor; this one
// only understands control_actor's messages and hands each to the controller.

#include "actors/interfaces.hpp"

namespace hbs {

// Monitors the controller and ends with it.
control_actor::behavior_type control_gateway_fn(control_actor::pointer self,
                                                controller_actor controller);

} // namespace hbs
