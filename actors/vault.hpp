#pragma once
// The cluster history vault (reference §4): networks report each period, the vault updates
// this controller's history and the peer's, hands the networks the block their next request
// carries, answers SM queries and pushes to SM when something changed.

#include <optional>
#include <vector>

#include "actors/history_view.hpp"
#include "actors/cluster_history.hpp"
#include "actors/interfaces.hpp"

namespace hbs {

struct vault_setup {
  std::string controller;
  uint8_t controller_number = 0;
  uint16_t period_ms = 100;
};

struct vault_state {
  vault_setup setup;
  std::optional<cluster_history> book;
  std::optional<sm_heartbeat> sm;
  bool sm_fail = false;
  std::vector<network_actor> networks;
  sm_gateway_actor gateway;
  std::vector<uint8_t> gateway_copy; // the last copy sent to the gateway
  uint64_t num_pushes = 0;
  uint64_t num_sm_beats = 0;
  std::string last_reasons;
  view_log_gate views; // clog1: each history's view, logged when it changes
  bool push_scheduled = false; // a push_atom is on its way (reasons after a period's close)
  static inline const char* name = "vault";
};

vault_actor::behavior_type vault_fn(vault_actor::stateful_pointer<vault_state> self,
                                    vault_setup s);

// The SM wire form of a vault block with reqid set (header + histories).
std::vector<uint8_t> encode_for_sm(wire::cluster_block block, uint16_t reqid);

} // namespace hbs
