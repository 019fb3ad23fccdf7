#pragma once
// The service manager's door (reference §4.7): JSON requests on a loopback UDP socket;
// reqid != 0 gets the binary vault at once, reqid 0 is SM's alive pulse; anything else is
// counted per reason and dropped without a reply. Any local process can reach the port, so
// requests beyond max_per_s (SM sends about ten a second) are counted and dropped unread.

#include <array>
#include <memory>

#include "actors/interfaces.hpp"
#include "messages/sm_request.hpp"
#include "runtime/datagram.hpp"

namespace hbs {

struct sm_gateway_setup {
  std::shared_ptr<datagram_socket> socket;
  uint32_t reply_addr = 0; // SM's address (loopback)
  uint16_t reply_port = 2224;
  vault_actor vault;
  uint32_t max_per_s = 200; // requests (queries and alive pulses); more are counted, dropped
};

struct sm_gateway_state {
  sm_gateway_setup setup;
  uint64_t num_queries = 0;
  uint64_t num_beats = 0;
  uint64_t num_pushes = 0;
  uint64_t num_send_errors = 0;
  std::array<uint64_t, num_sm_errors> num_rejected{};
  std::vector<uint8_t> current; // the vault at the last period end, reqid 0
  std::vector<uint8_t> reply;   // scratch: current with the query's reqid
  std::array<datagram, 16> rx;
  double tokens = 0;                          // the rate limit's bucket (one second's worth)
  caf::actor_clock::time_point refilled{};
  static inline const char* name = "sm_gateway";
};

sm_gateway_actor::behavior_type
sm_gateway_fn(sm_gateway_actor::stateful_pointer<sm_gateway_state> self, sm_gateway_setup s);

} // namespace hbs
