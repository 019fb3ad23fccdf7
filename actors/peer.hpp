#pragma once
// The link to the other controller's peer gateway over CAF's network layer. Tries the peer's
// management address, then its cluster-host address (a management switch failure must not
// cut the two agents apart), with capped backoff; monitors the gateway it reached and tells
// its controller when the link goes up or down. Pulses never ride on it.

#include <string>
#include <vector>

#include "actors/interfaces.hpp"

namespace hbs {

struct peer_setup {
  std::string controller;             // this agent
  std::string peer;                   // the other controller's name
  std::vector<std::string> addresses; // where its gateway listens, in order of preference
  uint16_t port = 0;
  controller_actor parent;
  // Probe each address with a timed TCP connect before asking the middleman: its own
  // connect blocks for minutes on a partitioned (silent) address. Off in simulated time.
  bool probe = false;
};

struct peer_state {
  peer_setup setup;
  peer_gateway_actor remote;
  size_t path = 0;                    // index into setup.addresses being used or tried
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

// A TCP connect to address:port that gives up after timeout_ms; "" when it was accepted.
std::string probe_tcp(const std::string& address, uint16_t port, int timeout_ms);

} // namespace hbs
