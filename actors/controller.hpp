#pragma once
// The agent's root actor: holds the inventory, spawns (linked) the events, network and host
// actors, routes start/stop to them and answers hbsctl. Never reads files or settings: the
// supervisor in runtime/ hands it validated config and open sockets.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/interfaces.hpp"
#include "config/config.hpp"
#include "runtime/datagram.hpp"

namespace hbs {

struct controller_setup {
  cfg::agent_config config;
  std::vector<std::shared_ptr<datagram_socket>> sockets; // one per config.networks entry
  std::string events_path;                               // empty: events kept in memory
  bool active = true;
};

struct inventory_entry {
  cfg::host_config config;
  host_actor actor;
  bool started = false;
};

struct controller_state {
  controller_setup setup;
  events_actor events;
  std::vector<std::pair<uint8_t, network_actor>> networks;
  std::map<std::string, inventory_entry> hosts;
  caf::actor_clock::time_point born{};
  static inline const char* name = "controller";
};

controller_actor::behavior_type
controller_fn(controller_actor::stateful_pointer<controller_state> self, controller_setup s);

} // namespace hbs
