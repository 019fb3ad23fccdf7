#pragma once
// The agent's root actor: holds the inventory and the role, spawns (linked) the events,
// vault, SM gateway, peer, network and host actors, applies commands from hbsctl and from
// the other agent, and answers hbsctl. Never reads files or settings: the supervisor in
// runtime/ hands it validated config and open sockets.

#include <functional>
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
  std::shared_ptr<datagram_socket> sm_socket;            // null: no SM gateway
  std::string events_path;                               // empty: events kept in memory
  std::string alarms_path;                               // empty: alarms not persisted
  std::string alarms_json;                               // the table read at start
  bool own_thread_for_sm = false; // daemon: SM answers never wait for a busy scheduler
};

struct inventory_entry {
  cfg::host_config config;
  host_actor actor;
  bool started = false;
};

struct controller_state {
  controller_setup setup;
  events_actor events;
  vault_actor vault;
  sm_gateway_actor gateway;
  peer_actor peer;
  alarms_actor alarms;
  mnfa_actor mnfa;
  std::string action;          // failure action: fail, degrade, alarm, none
  bool backed_off = false;     // MNFA: period x4
  uint32_t num_started = 0;    // hosts monitored now
  std::vector<std::pair<uint8_t, network_actor>> networks;
  std::map<std::string, inventory_entry> hosts;
  bool active = false;
  bool locked = false;
  std::string active_name;     // who the newest activate command named
  uint64_t generation = 0;     // Lamport clock over replicated commands
  uint64_t role_generation = 0;
  uint32_t role_origin = 0;
  caf::actor_clock::time_point born{};
  static inline const char* name = "controller";
};

using controller_ptr = controller_actor::stateful_pointer<controller_state>;

controller_actor::behavior_type controller_fn(controller_ptr self, controller_setup s);

// Inventory and role operations (controller_ops.cpp), shared by hbsctl requests and
// replicas from the other agent. Each returns a one-line result or an error.
caf::expected<std::string> add_host(controller_ptr self, const cfg::host_config& h,
                                    bool validated);
caf::expected<std::string> del_host(controller_ptr self, const std::string& name);
caf::expected<std::string> set_started(controller_ptr self, const std::string& name, bool on);
std::string activate(controller_ptr self, const std::string& name, uint64_t generation,
                     uint32_t origin);
caf::expected<std::string> apply_replica(controller_ptr self, const replica& r);
// A command this agent took, stamped with the next generation; then sent to the other agent.
replica stamp(controller_ptr self, const std::string& op, std::vector<std::string> args);
void replicate(controller_ptr self, replica r);
std::string set_action(controller_ptr self, const std::string& action);
void set_backoff(controller_ptr self, bool on);
void set_role(controller_ptr self, bool active);
// controller_service.cpp: dumps, reload, shutdown.
void dump_state(controller_ptr self, const std::string& why,
                std::function<void(std::string)> deliver);
std::string reload(controller_ptr self, uint32_t period_ms, thresholds limits,
                   const std::string& action);
void stop_children(controller_ptr self, const caf::error& reason);

} // namespace hbs
