#pragma once
// hbs-client, one per network: validates each request, answers its sender at the agent port
// with the other controller's cached history (criss_cross) and this host's flags.
// Not an actor: the client runs it on its socket thread, so a host pays for one thread and
// no actor system (issue 16 §3: every host of the fleet runs a client). No CAF include.
// Allocation-free per request: fixed receive, encode and send batches live in the object.

#include <array>
#include <atomic>
#include <memory>
#include <optional>

#include "actors/criss_cross.hpp"
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

struct responder_counters {
  uint64_t num_requests = 0;
  uint64_t num_replies = 0;
  uint64_t num_send_errors = 0;
  std::array<uint64_t, 16> num_malformed{};
  uint64_t num_no_history = 0;
  uint64_t num_unsigned = 0; // requests without a signature (dropped in require mode)
  uint64_t num_bad_mac = 0;
  uint64_t num_replayed = 0;
};

class responder {
public:
  explicit responder(responder_setup s);

  // Drains the socket and answers every request in it. Call when it is readable.
  void serve();
  // The process monitor's verdict (from another thread): the flag every answer carries.
  void set_pmond_alive(bool alive);

  const responder_counters& counters() const { return c_; }
  const responder_setup& setup() const { return setup_; }

private:
  bool admitted(const datagram& d, size_t& size, int64_t& signed_at);
  bool replayed(const datagram& d, int64_t signed_at);
  void count_drop(const datagram& d, wire::auth_result r);
  bool answer(const datagram& d, size_t i);
  void log_cross(const datagram& d, const cross_result& res);
  uint32_t current_flags() const;

  responder_setup setup_;
  criss_cross cross_;
  std::atomic<bool> pmond_alive_{true};
  responder_counters c_;
  wire::replay_guard replays_; // per controller, the newest signed request taken
  std::array<datagram, responder_batch> rx_;
  std::array<std::array<uint8_t, wire::max_pulse_size + wire::auth_trailer_size>,
             responder_batch> tx_{};
  std::array<outgoing, responder_batch> out_{};
  wire::pulse request_;
  wire::pulse response_;
};

} // namespace hbs
