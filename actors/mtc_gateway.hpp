#pragma once
// mtcAgent's door in starlingx mode (reference §1.2, §5.7, §5.8, §7). Commands arrive on
// mtc_to_hbs_cmd_port and become the controller's own commands (ADD/MOD/DEL/START/STOP,
// ACTIVE_CTRL, BACKOFF/RECOVER); events leave for "controller":hbs_to_mtc_event_port in the
// 1060-byte layout; alarms leave for mtcalarmd as JSON. READY goes out at start and every
// ready interval until the first inventory command. Anyone on the management network can
// reach the command port, as with the stock agent: a malformed command is counted per
// reason and logged (throttled), never applied.

#include <array>
#include <memory>
#include <set>

#include "actors/interfaces.hpp"
#include "messages/mtc_message.hpp"
#include "runtime/datagram.hpp"

namespace hbs {

struct mtc_gateway_setup {
  std::string controller;        // this controller's host name
  std::shared_ptr<datagram_socket> socket; // commands in, events out
  std::shared_ptr<datagram_socket> alarm_socket; // to mtcalarmd; null: socket
  uint32_t mtc_addr = 0;         // "controller" (floating), host byte order
  uint16_t event_port = 2107;
  uint32_t alarm_addr = 0x7f000001;
  uint16_t alarm_port = 2122;
  uint32_t ready_interval_ms = 5000;
  std::vector<uint32_t> sources; // mtcAgent's possible addresses; others are refused
  bool cluster_host = false;     // cluster-host monitored here: clears cover both networks
  controller_actor parent;
};

struct mtc_gateway_state {
  mtc_gateway_setup setup;
  mtc_counters counters;
  std::array<datagram, 16> rx;
  std::array<uint8_t, wire::mtc_message_size> tx{};
  static inline const char* name = "mtc_gateway";
};

mtc_gateway_actor::behavior_type
mtc_gateway_fn(mtc_gateway_actor::stateful_pointer<mtc_gateway_state> self,
               mtc_gateway_setup s);

// The JSON request mtcalarmd takes (reference §7) for one alarm set or clear.
std::string mtcalarm_request(const alarm_view& a, bool set);

} // namespace hbs
