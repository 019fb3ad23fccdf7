#include "actors/controller.hpp"

#include "actors/host.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

bool on_network(const controller_state& st, const cfg::host_config& h, uint8_t n) {
  if (!st.setup.config.network(n))
    return false;
  return n == cfg::management ? !h.management.empty() : !h.cluster_host.empty();
}

caf::error check_new_host(controller_ptr self, const cfg::host_config& h) {
  auto trial = self->state.setup.config;
  trial.hosts.clear();
  for (auto& [name, e] : self->state.hosts)
    trial.hosts.push_back(e.config);
  trial.hosts.push_back(h);
  std::vector<std::string> problems;
  cfg::validate(trial, problems);
  if (problems.empty())
    return {};
  auto code = self->state.hosts.count(h.name) ? ec::duplicate_host : ec::bad_argument;
  return caf::make_error(code, problems.front());
}

void log_roles(controller_ptr self) {
  auto& st = self->state;
  log::info("controller", "state: {} {}, {} hosts, period {} ms, {}", st.setup.config.controller,
            st.active ? "active" : "inactive", st.hosts.size(), st.setup.config.period_ms,
            st.locked ? "locked" : "unlocked");
  for (auto& [name, e] : st.hosts)
    log::info("controller", "state:   {:<20} {:<10} {}", name, cfg::to_string(e.config.type),
              e.started ? "monitored" : "not monitored");
}

} // namespace

caf::expected<std::string> add_host(controller_ptr self, const cfg::host_config& h,
                                    bool validated) {
  auto& st = self->state;
  // Hosts from the validated config skip the check: it is O(inventory) per host.
  if (!validated)
    if (auto err = check_new_host(self, h))
      return err;
  auto& c = st.setup.config;
  host_setup hs;
  hs.name = h.name;
  hs.type = h.type;
  hs.controller = c.controller;
  hs.active = st.active;
  hs.limits = c.limits;
  hs.networks = {on_network(st, h, cfg::management), on_network(st, h, cfg::cluster_host)};
  hs.clstr_degrade_only = c.clstr_degrade_only;
  hs.standard_system = c.standard_system;
  hs.events = st.events;
  hs.vault = st.vault;
  hs.alarms = st.alarms;
  hs.mnfa = st.mnfa;
  hs.period_ms = c.period_ms;
  st.hosts[h.name] = {h, self->spawn<caf::linked>(host_fn, std::move(hs)), false};
  log::info("controller", "inventory add {} ({}) {} {}", h.name, cfg::to_string(h.type),
            h.management, h.cluster_host);
  return "added " + h.name;
}

caf::expected<std::string> del_host(controller_ptr self, const std::string& name) {
  auto& st = self->state;
  auto it = st.hosts.find(name);
  if (it == st.hosts.end())
    return caf::make_error(ec::unknown_host, name);
  if (it->second.started)
    set_started(self, name, false);
  if (st.action != "none")
    self->send(st.alarms, clear_atom_v, name); // only the active agent's table changes
  self->unlink_from(it->second.actor);
  self->send_exit(it->second.actor, caf::exit_reason::user_shutdown);
  st.hosts.erase(it);
  log::info("controller", "inventory del {}", name);
  return "deleted " + name;
}

caf::expected<std::string> set_started(controller_ptr self, const std::string& name, bool on) {
  auto& st = self->state;
  auto it = st.hosts.find(name);
  if (it == st.hosts.end())
    return caf::make_error(ec::unknown_host, name);
  auto& e = it->second;
  if (name == st.setup.config.controller)
    return name + " is this controller: it never heartbeats itself";
  if (!on && !e.started)
    return name + " was not started";
  if (on)
    self->send(e.actor, start_atom_v);
  else
    self->send(e.actor, stop_atom_v);
  for (auto& [n, net] : st.networks) {
    if (!on_network(st, e.config, n))
      continue;
    if (on)
      self->send(net, watch_atom_v, name,
                 n == cfg::management ? e.config.management : e.config.cluster_host, e.actor);
    else
      self->send(net, unwatch_atom_v, name);
  }
  if (on && name == st.setup.config.peer_name())
    self->send(st.vault, peer_atom_v); // the peer's view is now expected every period
  if (!on)
    self->send(st.vault, reason_atom_v, name + " deleted");
  bool was = e.started;
  e.started = on;
  st.num_started += static_cast<int>(on) - static_cast<int>(was);
  self->send(st.mnfa, monitored_atom_v, st.num_started);
  log::info("controller", "{} heartbeat {}", name, on ? (was ? "restart" : "start") : "stop");
  return name + (on ? (was ? " restarted" : " started") : " stopped");
}

std::string activate(controller_ptr self, const std::string& name, uint64_t generation,
                     uint32_t origin) {
  auto& st = self->state;
  // Newest command wins; equal generations are ordered by the origin controller number, so
  // two agents that disagree (even both configured active) converge on one answer.
  if (generation < st.role_generation
      || (generation == st.role_generation && origin < st.role_origin))
    return "ignored: a newer activate command named " + st.active_name;
  st.role_generation = generation;
  st.role_origin = origin;
  st.active_name = name;
  bool active = name == st.setup.config.controller;
  if (active != st.active)
    set_role(self, active);
  return name + " is active; " + st.setup.config.controller + " is "
         + (active ? "active" : "inactive");
}

caf::expected<std::string> apply_replica(controller_ptr self, const replica& r) {
  auto& a = r.args;
  auto arg = [&](size_t i) { return i < a.size() ? a[i] : std::string{}; };
  if (r.op == "activate")
    return activate(self, arg(0), r.generation, r.origin);
  if (r.op == "add") {
    cfg::host_config h{arg(0), cfg::host_type::worker, arg(2), arg(3), false};
    if (arg(1) == "controller")
      h.type = cfg::host_type::controller;
    else if (arg(1) == "storage")
      h.type = cfg::host_type::storage;
    return add_host(self, h, false);
  }
  if (r.op == "action")
    return set_action(self, arg(0));
  if (r.op == "backoff") { // the active agent's MNFA decision
    set_backoff(self, arg(0) == "on");
    self->send(self->state.mnfa, mnfa_atom_v, std::string{arg(0) == "on" ? "enter" : "exit"});
    return std::string{"period "} + (arg(0) == "on" ? "backed off" : "restored");
  }
  if (r.op == "alarms") {
    self->send(self->state.alarms, table_atom_v, arg(0));
    return std::string{"alarm table copied"};
  }
  if (r.op == "del")
    return del_host(self, arg(0));
  if (r.op == "start" || r.op == "stop")
    return set_started(self, arg(0), r.op == "start");
  return caf::make_error(ec::bad_argument, "unknown replicated command " + r.op);
}

void set_role(controller_ptr self, bool active) {
  auto& st = self->state;
  st.active = active;
  log::info("controller", "{} is {}", st.setup.config.controller, active ? "active" : "inactive");
  self->send(st.alarms, role_atom_v, active);
  if (active && st.action != "none")
    self->send(st.alarms, clear_atom_v); // stale alarms go; hosts re-assert what holds (§1.2)
  self->send(st.mnfa, role_atom_v, active);
  for (auto& [n, e] : st.hosts)
    self->send(e.actor, role_atom_v, active);
  log_roles(self);
  // A role change is logged with a full state dump (reference §1.2).
  dump_state(self, active ? "became active" : "became inactive", nullptr);
}

std::string set_action(controller_ptr self, const std::string& action) {
  auto& st = self->state;
  if (action == st.action)
    return "failure action already " + action;
  auto old = st.action;
  st.action = action;
  log::info("controller", "'heartbeat failure action' changed from {} to {}", old, action);
  event e{"customer_log", st.setup.config.controller, "", "", 0,
          "200.021: 'heartbeat failure action' changed from " + old + " to " + action};
  e.mono_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                self->clock().now().time_since_epoch()).count();
  self->send(st.events, std::move(e));
  for (auto& [n, h] : st.hosts)
    self->send(h.actor, reset_atom_v); // per-host statistics cleared (§6.1)
  if (st.active)
    self->send(st.alarms, clear_atom_v);
  self->send(st.mnfa, action_atom_v, action);
  for (auto& [n, net] : st.networks)
    self->send(net, lock_atom_v, st.locked || action == "none");
  return "failure action " + action + " (was " + old + ")";
}

void set_backoff(controller_ptr self, bool on) {
  auto& st = self->state;
  if (on == st.backed_off)
    return;
  st.backed_off = on;
  auto period = st.setup.config.period_ms * (on ? 4 : 1);
  log::info("controller", "period {} ms ({})", period, on ? "MNFA back-off" : "restored");
  for (auto& [n, net] : st.networks)
    self->send(net, period_atom_v, period);
  self->send(st.mnfa, period_atom_v, period);
}

replica stamp(controller_ptr self, const std::string& op, std::vector<std::string> args) {
  auto& st = self->state;
  return {++st.generation, st.setup.config.controller_number(), op, std::move(args)};
}

void replicate(controller_ptr self, replica r) {
  if (self->state.peer)
    self->send(self->state.peer, replica_atom_v, std::move(r));
}

} // namespace hbs
