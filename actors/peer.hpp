#pragma once
// The link to the other controller's agent over CAF's network layer. Connects through the
// middleman actor (never a blocking call), retries with capped backoff, monitors the remote
// controller and reports link up/down to its own controller. Pulses never ride on it.

#include <string>

#include "actors/interfaces.hpp"

namespace hbs {

struct peer_setup {
  std::string controller; // this agent
  std::string peer;       // the other controller's name
  std::string address;    // where the other agent publishes; empty: wait for a handle
  uint16_t port = 0;
  controller_actor parent;
};

struct peer_state {
  peer_setup setup;
  controller_actor remote;
  caf::timespan backoff{};
  caf::actor_clock::time_point last_contact{};
  bool ever_contacted = false;
  bool connecting = false;
  uint64_t num_link_ups = 0;
  uint64_t num_link_downs = 0;
  uint64_t num_unsent = 0;
  static inline const char* name = "peer";
};

peer_actor::behavior_type peer_fn(peer_actor::stateful_pointer<peer_state> self, peer_setup s);

} // namespace hbs
