#pragma once
// hbs-client's view of the local process monitor: counts "pmond alive pulse" datagrams of
// exactly 100 bytes in 5-second windows (reference §9.3) and tells the responders.

#include <memory>
#include <vector>

#include "actors/interfaces.hpp"
#include "runtime/datagram.hpp"

namespace hbs {

struct alive_monitor_setup {
  std::shared_ptr<datagram_socket> socket;
  std::vector<responder_actor> responders;
};

struct alive_monitor_state {
  alive_monitor_setup setup;
  uint64_t num_pulses = 0; // in the current window
  bool alive = true;       // until the first window closes
  std::array<datagram, 8> rx;
  static inline const char* name = "alive_monitor";
};

alive_monitor_actor::behavior_type
alive_monitor_fn(alive_monitor_actor::stateful_pointer<alive_monitor_state> self,
                 alive_monitor_setup s);

} // namespace hbs
