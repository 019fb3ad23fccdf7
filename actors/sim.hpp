#pragma once
// hbs-sim's engine: N simulated hosts answer pulse requests exactly as hbs-client does
// (strict decode, criss-cross per host and controller), each from its own address, through
// one socket per network. Hosts are plain objects here, not actors: a CAF message per host
// per request would cost more than the agent under test (see ARCHITECTURE.md).

#include <array>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "actors/criss_cross.hpp"
#include "actors/interfaces.hpp"
#include "actors/sim_faults.hpp"
#include "config/config.hpp"
#include "runtime/datagram.hpp"

namespace hbs {

struct sim_setup {
  std::vector<std::string> names;
  std::array<uint32_t, 2> base{};                         // host i is at base[net] + i
  std::vector<cfg::network_config> nets;                  // management first
  std::vector<std::shared_ptr<datagram_socket>> sockets;  // one per network
  std::shared_ptr<datagram_socket> control;               // may be null
  std::shared_ptr<const wire::pulse_gate> auth;           // null: pulses unsigned
  // Else a copy of every answer goes to 127.0.0.1 at this port plus its network's index: a
  // socket per network, as an agent reads them (the floor's reader, bench/udp_floor.cpp).
  uint16_t mirror_port = 0;
  bool mirror = true;        // from the start; "mirror on|off" on the control port switches
  // The networks this actor answers at start; the others' sockets wait for a hand-over.
  std::vector<uint8_t> serve;
  // The actor answering network 1 while the floor's copies are on (they double the sends:
  // at 10,000 hosts one actor fell behind); null: none. It also gets every command, not
  // echoed. Without the copies, one actor answers both networks in turn, as before.
  std::optional<sim_actor> helper;
  bool echo = true; // prints each command's JSON line (the one actor given the commands)
};

constexpr size_t sim_batch = 64;
using answer_buffer = std::array<uint8_t, wire::max_pulse_size + wire::auth_trailer_size>;

struct sim_state {
  sim_setup setup;
  std::optional<sim_faults> faults;
  std::array<std::vector<criss_cross>, 2> cross;
  std::array<datagram, sim_batch> rx;
  std::array<answer_buffer, sim_batch> tx{};
  std::array<outgoing, sim_batch> out{};
  size_t pending = 0;
  int64_t now_ms = 0;     // wall clock when the request being answered was read
  uint8_t pending_net = 0;
  std::array<bool, 2> serving{}; // this actor answers the network's requests
  wire::pulse request;
  wire::pulse response; // its cluster unused: answers carry cross_result::block
  std::array<uint8_t, wire::max_cluster_size> request_block{}; // request.cluster, encoded
  size_t request_block_size = 0; // 0: not encoded yet for this request
  std::mt19937 rng{12345};
  uint64_t num_requests = 0, num_replies = 0, num_silent = 0, num_dropped = 0;
  uint64_t num_malformed = 0, num_send_errors = 0;
  uint64_t num_late_requests = 0; // answered 20 ms or more after they arrived
  static inline const char* name = "sim";
};

sim_actor::behavior_type sim_fn(sim_actor::stateful_pointer<sim_state> self, sim_setup s);

} // namespace hbs
