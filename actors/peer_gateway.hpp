#pragma once
// What the other controller's agent reaches: replication and role exchange, nothing else.
// Sizes are bounded here; the controller checks every value before it applies any. State
// is taken only from the node whose hello said this gateway's protocol (or this process):
// a release that links without asking (before peer protocol 2) is not heard.

#include "actors/interfaces.hpp"

namespace hbs {

// The alarm table (JSON) a peer may send: 20,000 hosts x 3 alarms fit with room to spare.
constexpr size_t max_table_bytes = 16 * 1024 * 1024;

struct peer_gateway_state {
  controller_actor controller;
  uint32_t protocol = peer_protocol; // what it answers the dialer's first question with
  caf::node_id admitted; // the node whose hello said this protocol: the only one heard
  uint64_t num_taken = 0;
  uint64_t num_refused = 0;
  static inline const char* name = "peer_gateway";
};

// Monitors the controller and ends with it. `protocol` is peer_protocol but in tests of a
// mixed-version pair.
peer_gateway_actor::behavior_type
peer_gateway_fn(peer_gateway_actor::stateful_pointer<peer_gateway_state> self,
                controller_actor controller, uint32_t protocol);

} // namespace hbs
