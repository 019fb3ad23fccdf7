#pragma once
// Inside the peer actor only (peer.cpp, peer_admission.cpp): linking a gateway here skips
// the protocol check, so nothing else includes this.

#include <set>
#include <string>

#include "actors/peer.hpp"

namespace hbs {

using peer_ptr = peer_actor::stateful_pointer<peer_state>;

const std::string& peer_address(peer_ptr self); // the address being dialed
void peer_retry_later(peer_ptr self);            // the other path next, with backoff
void peer_link_up(peer_ptr self, peer_gateway_actor remote, bool dialed);
// Asks the gateway a connect reached for its peer protocol; links to it, or refuses it.
void check_peer_protocol(peer_ptr self, caf::strong_actor_ptr gateway,
                         std::set<std::string> ifs);

} // namespace hbs
