#pragma once
// hbs-client, one per network: validates each request, answers its sender at the agent port
// with the other controller's cached history (criss_cross) and this host's flags.
// Allocation-free per request: fixed receive, encode and send batches live in the state.

#include <array>
#include <memory>
#include <optional>

#include "actors/criss_cross.hpp"
#include "actors/interfaces.hpp"
#include "config/config.hpp"
#include "messages/pulse_auth.hpp"
#include "runtime/datagram.hpp"

namespace hbs {

struct responder_setup {
  cfg::network_config net;
  std::string host;
  bool cluster_host_provisioned = false;
  std::shared_ptr<datagram_socket> socket;
  std::shared_ptr<const wire::pulse_gate> auth; // pulse authentication; null: off
};

constexpr size_t responder_batch = 32;

struct responder_state {
  responder_setup setup;
  std::optional<criss_cross> cross;
  bool pmond_alive = true;
  uint64_t num_requests = 0;
  uint64_t num_replies = 0;
  uint64_t num_send_errors = 0;
  std::array<uint64_t, 16> num_malformed{};
  uint64_t num_no_history = 0;
  std::array<datagram, responder_batch> rx;
  std::array<std::array<uint8_t, wire::max_pulse_size + wire::auth_trailer_size>,
             responder_batch> tx{};
  uint64_t num_unsigned = 0; // requests without a signature (dropped in require mode)
  uint64_t num_bad_mac = 0;
  uint64_t num_replayed = 0;
  wire::replay_guard replays; // per controller, the newest signed request taken
  std::array<outgoing, responder_batch> out{};
  wire::pulse request;
  wire::pulse response;
  static inline const char* name = "responder";
};

responder_actor::behavior_type
responder_fn(responder_actor::stateful_pointer<responder_state> self, responder_setup s);

} // namespace hbs
