#pragma once
// The link to the other controller's peer gateway over CAF's network layer. Tries the peer's
// management address, then its cluster-host address (a management switch failure must not
// cut the two agents apart), with capped backoff; monitors the gateway it reached and tells
// its controller when the link goes up or down. Pulses never ride on it.
// One side dials (controller-0) and announces its own gateway in a hello; the other links to
// that. Two simultaneous dials would give BASP two connections between the same nodes, and
// closing the spare one cuts the link (seen with TLS, whose handshake is slow enough to make
// it likely: a link flapping ten times a second). The other side dials only when it has had
// no link for a while (a path only it can use).
// Before anything crosses, the dialer asks the gateway it reached for its peer protocol
// (control.hpp): an agent of another protocol (a rolling upgrade) is refused, named in the
// log and in hbsctl peer, and asked again when it goes, else every `peer_refused_retry`.
// Once linked, each side's first message is its hello (the dialed side's too): the other
// gateway takes state only from the node whose hello named its protocol.

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
  bool tls = false; // dial through CAF's OpenSSL module (mutual TLS)
  bool dials = true; // false: wait to be dialed, dial only after `fallback` without a link
  uint32_t protocol = peer_protocol; // the one it links with (another only in tests)
};

constexpr caf::timespan peer_dial_fallback = std::chrono::seconds{5};
constexpr caf::timespan peer_refused_retry = std::chrono::seconds{5};

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
  uint64_t num_tls_failures = 0; // own connects that failed in the TLS handshake
  std::string refusal;           // why the last refused attempt was ("": linked since)
  caf::actor_clock::time_point refused_at{};
  std::string refused_release;   // its protocol and version: one log line per release
  caf::actor_addr refused_gateway; // watched: when it goes (upgraded), ask again at once
  uint64_t num_refusals = 0;
  uint64_t num_dials = 0;        // connects asked of the middleman
  caf::actor_addr own_gateway;   // announced to the peer after dialing it
  caf::actor_clock::time_point unlinked_since{};
  static inline const char* name = "peer";
};

peer_actor::behavior_type peer_fn(peer_actor::stateful_pointer<peer_state> self, peer_setup s);

} // namespace hbs
