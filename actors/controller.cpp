#include "actors/controller.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "actors/alarms.hpp"
#include "actors/events.hpp"
#include "actors/mnfa.hpp"
#include "actors/network.hpp"
#include "actors/peer.hpp"
#include "actors/sm_gateway.hpp"
#include "actors/vault.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = controller_ptr;
constexpr auto query_timeout = std::chrono::seconds{2};

// Joins the answers of several requests; runs `finish` once the last one is in.
struct join {
  size_t pending = 0;
  std::function<void()> finish;
  void done() {
    if (--pending == 0)
      finish();
  }
};

void collect_hosts(self_ptr self, std::vector<std::string> names,
                   std::function<void(std::vector<host_status>)> deliver) {
  auto& st = self->state;
  struct acc {
    std::vector<host_status> hosts;
    std::vector<std::vector<net_host_row>> rows{2};
  };
  auto a = std::make_shared<acc>();
  a->hosts.resize(names.size());
  auto j = std::make_shared<join>();
  j->pending = names.size() + st.networks.size() + 1;
  j->finish = [a, deliver, self] {
    for (auto& h : a->hosts) {
      auto& inv = self->state.hosts[h.name];
      h.management = inv.config.management;
      h.cluster_host = inv.config.cluster_host;
      for (auto& ns : h.networks)
        for (auto& r : a->rows[ns.network & 1])
          if (r.name == h.name) {
            ns.num_pulses = r.num_pulses;
            ns.last_response_age_ms = r.last_response_age_ms;
          }
    }
    deliver(std::move(a->hosts));
  };
  for (size_t i = 0; i < names.size(); ++i)
    self->request(st.hosts[names[i]].actor, query_timeout, status_atom_v)
      .then([a, j, i](host_status& s) { a->hosts[i] = std::move(s); j->done(); },
            [j](caf::error&) { j->done(); });
  for (auto& [n, net] : st.networks) {
    auto idx = n & 1;
    self->request(net, query_timeout, hosts_atom_v)
      .then([a, j, idx](std::vector<net_host_row>& rows) { a->rows[idx] = std::move(rows);
                                                           j->done(); },
            [j](caf::error&) { j->done(); });
  }
  j->done(); // covers an empty inventory
}

caf::result<agent_status> status(self_ptr self) {
  auto& st = self->state;
  auto rp = self->make_response_promise<agent_status>();
  auto out = std::make_shared<agent_status>();
  out->controller = st.setup.config.controller;
  out->role = st.locked ? (st.active ? "active (locked)" : "inactive (locked)")
                        : (st.active ? "active" : "inactive");
  out->version = HBS_VERSION;
  out->num_hosts = st.hosts.size();
  out->num_started = st.num_started;
  out->uptime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                     self->clock().now() - st.born).count();
  auto j = std::make_shared<join>();
  j->pending = st.networks.size() + 2;
  j->finish = [rp, out]() mutable {
    std::sort(out->networks.begin(), out->networks.end(),
              [](auto& a, auto& b) { return a.network < b.network; });
    rp.deliver(*out);
  };
  if (st.gateway)
    self->request(st.gateway, query_timeout, status_atom_v)
      .then([out, j](std::vector<uint64_t>& c) { out->sm = std::move(c); j->done(); },
            [j](caf::error&) { j->done(); });
  else
    j->done();
  for (auto& [n, net] : st.networks)
    self->request(net, query_timeout, status_atom_v)
      .then([out, j](network_counters& c) { out->networks.push_back(std::move(c)); j->done(); },
            [j](caf::error&) { j->done(); });
  j->done();
  return rp;
}

void spawn_children(self_ptr self) {
  auto& st = self->state;
  auto& c = st.setup.config;
  auto me = caf::actor_cast<controller_actor>(self);
  st.events = self->spawn<caf::linked>(events_fn, events_setup{st.setup.events_path, 1000});
  st.alarms = self->spawn<caf::linked>(
    alarms_fn, alarms_setup{c.controller, st.active, st.setup.alarms_path, st.setup.alarms_json,
                            st.events, me});
  st.mnfa = self->spawn<caf::linked>(
    mnfa_fn, mnfa_setup{c.controller, c.mnfa(), st.action, st.active, c.period_ms, st.events,
                        me});
  st.vault = self->spawn<caf::linked>(
    vault_fn, vault_setup{c.controller, static_cast<uint8_t>(c.controller_number()),
                          static_cast<uint16_t>(c.period_ms)});
  if (st.setup.sm_socket) {
    sm_gateway_setup gs{st.setup.sm_socket, parse_ipv4(c.sm.address), c.sm.client_port,
                        st.vault};
    st.gateway = st.setup.own_thread_for_sm
                   ? self->spawn<caf::linked + caf::detached>(sm_gateway_fn, gs)
                   : self->spawn<caf::linked>(sm_gateway_fn, gs);
    self->send(st.vault, sm_atom_v, st.gateway);
  }
  for (size_t i = 0; i < c.networks.size(); ++i) {
    network_setup ns{c.networks[i], c.controller, c.controller_number(), c.period_ms,
                     c.limits, st.setup.sockets.at(i), st.vault};
    auto net = self->spawn<caf::linked>(network_fn, ns);
    self->send(st.vault, network_atom_v, net);
    if (st.action == "none")
      self->send(net, lock_atom_v, true); // "none" stops heartbeating altogether
    st.networks.emplace_back(c.networks[i].index, net);
  }
  st.peer = self->spawn<caf::linked>(
    peer_fn, peer_setup{c.controller, c.peer_name(), c.peer.address, c.peer.port,
                        me});
  for (auto& h : c.hosts)
    add_host(self, h, true);
  for (auto& h : c.hosts)
    if (h.start && h.name != c.controller)
      set_started(self, h.name, true);
}

// hbsctl commands: applied here, then replicated to the other agent.
caf::result<std::string> local_command(self_ptr self, const std::string& op,
                                       std::vector<std::string> args) {
  auto r = stamp(self, op, std::move(args));
  auto res = apply_replica(self, r);
  if (!res)
    return std::move(res.error());
  replicate(self, std::move(r));
  return std::move(*res);
}

} // namespace

controller_actor::behavior_type controller_fn(self_ptr self, controller_setup s) {
  auto& st = self->state;
  st.setup = std::move(s);
  st.born = self->clock().now();
  st.active = st.setup.config.active;
  st.active_name = st.active ? st.setup.config.controller : st.setup.config.peer_name();
  st.role_origin = st.setup.config.controller_number(); // the role from config is our own
  st.action = st.setup.config.failure_action;
  spawn_children(self);
  self->set_exit_handler([=](caf::exit_msg& msg) {
    stop_children(self, msg.reason);
    self->quit(msg.reason);
  });
  self->delayed_send(self, std::chrono::hours{1}, audit_atom_v);
  log::info("controller", "{} heartbeating {} host(s) on {} network(s), period {} ms, {}",
            st.setup.config.controller, st.hosts.size(), st.networks.size(),
            st.setup.config.period_ms, st.active ? "active" : "inactive");
  return {
    [=](status_atom) { return status(self); },
    [=](hosts_atom) -> caf::result<std::vector<host_status>> {
      auto rp = self->make_response_promise<std::vector<host_status>>();
      std::vector<std::string> names;
      for (auto& [name, e] : self->state.hosts)
        names.push_back(name);
      collect_hosts(self, std::move(names),
                    [rp](std::vector<host_status> v) mutable { rp.deliver(std::move(v)); });
      return rp;
    },
    [=](host_atom, const std::string& name) -> caf::result<host_status> {
      if (!self->state.hosts.count(name))
        return caf::make_error(ec::unknown_host, name);
      auto rp = self->make_response_promise<host_status>();
      collect_hosts(self, {name}, [rp](std::vector<host_status> v) mutable {
        rp.deliver(std::move(v.front()));
      });
      return rp;
    },
    [=](add_atom, const std::string& name, const std::string& type, const std::string& mgmt,
        const std::string& clstr) -> caf::result<std::string> {
      if (type != "controller" && type != "worker" && type != "storage")
        return caf::make_error(ec::bad_argument,
                               "type \"" + type + "\": allowed controller | worker | storage");
      return local_command(self, "add", {name, type, mgmt, clstr});
    },
    [=](del_atom, const std::string& name) { return local_command(self, "del", {name}); },
    [=](start_atom, const std::string& name) { return local_command(self, "start", {name}); },
    [=](stop_atom, const std::string& name) { return local_command(self, "stop", {name}); },
    [=](activate_atom, const std::string& name) -> caf::result<std::string> {
      auto& c = self->state.setup.config;
      if (name != c.controller && name != c.peer_name())
        return caf::make_error(ec::bad_argument, "\"" + name + "\": allowed " + c.controller
                                                   + " or " + c.peer_name());
      return local_command(self, "activate", {name});
    },
    [=](replica_atom, replica& r) {
      auto& st = self->state;
      st.generation = std::max(st.generation, r.generation);
      auto res = apply_replica(self, r);
      log::info("controller", "from {}: {} {}: {}", self->state.setup.config.peer_name(), r.op,
                r.args.empty() ? "" : r.args.front(),
                res ? *res : self->system().render(res.error()));
    },
    [=](link_atom, bool up) {
      auto& st = self->state;
      self->send(st.vault, reason_atom_v, std::string{"peer link "} + (up ? "up" : "down"));
      if (up) { // agree on the role: the newer designation wins on both sides
        replicate(self, replica{st.role_generation, st.role_origin, "activate",
                                {st.active_name}});
        if (st.active)
          self->send(st.alarms, role_atom_v, true); // resends the alarm table
      }
    },
    [=](connect_atom, const caf::actor& other) {
      self->send(self->state.peer, link_atom_v, caf::actor_cast<controller_actor>(other));
    },
    [=](events_atom, uint32_t n) -> caf::delegated<std::vector<event>> {
      return self->delegate(self->state.events, events_atom_v, n);
    },
    [=](vault_atom) -> caf::delegated<vault_view> {
      return self->delegate(self->state.vault, vault_atom_v);
    },
    [=](peer_atom) -> caf::result<peer_status> {
      auto rp = self->make_response_promise<peer_status>();
      auto& st = self->state;
      self->request(st.peer, query_timeout, peer_atom_v).then(
        [=](peer_status& p) mutable {
          p.role = self->state.active ? "active" : "inactive";
          p.generation = self->state.role_generation;
          rp.deliver(std::move(p));
        },
        [=](caf::error& e) mutable { rp.deliver(std::move(e)); });
      return rp;
    },
    [=](role_atom) { return std::string{self->state.active ? "active" : "inactive"}; },
    [=](backoff_atom, bool on) { // this agent's MNFA decided: both agents follow
      set_backoff(self, on);
      replicate(self, stamp(self, "backoff", {on ? "on" : "off"}));
    },
    [=](action_atom, const std::string& action) -> caf::result<std::string> {
      if (action != "fail" && action != "degrade" && action != "alarm" && action != "none")
        return caf::make_error(ec::bad_argument, "failure action \"" + action
                                                   + "\": allowed fail | degrade | alarm | none");
      return local_command(self, "action", {action});
    },
    [=](table_atom, const std::string& json) {
      replicate(self, stamp(self, "alarms", {json})); // the inactive agent keeps a copy
    },
    [=](alarms_atom) -> caf::delegated<std::vector<alarm_view>> {
      return self->delegate(self->state.alarms, alarms_atom_v);
    },
    [=](dump_atom) -> caf::result<std::string> {
      auto rp = self->make_response_promise<std::string>();
      dump_state(self, "requested", [rp](std::string text) mutable { rp.deliver(text); });
      return rp;
    },
    [=](audit_atom) {
      dump_state(self, "hourly audit", nullptr);
      self->delayed_send(self, std::chrono::hours{1}, audit_atom_v);
    },
    [=](reload_atom, uint32_t period, uint32_t minor, uint32_t degrade, uint32_t loss,
        const std::string& action) {
      return reload(self, period, thresholds{minor, degrade, loss}, action);
    },
    [=](period_atom, const std::string& what) -> caf::result<std::string> {
      auto& st = self->state;
      if (what == "backoff" || what == "recover") {
        set_backoff(self, what == "backoff");
        replicate(self, stamp(self, "backoff", {what == "backoff" ? "on" : "off"}));
      } else if (what != "show") {
        return caf::make_error(ec::bad_argument, "\"" + what + "\": allowed show | backoff | "
                                                                "recover");
      }
      auto base = st.setup.config.period_ms;
      return fmt::format("period {} ms ({}; configured {} ms)", base * (st.backed_off ? 4 : 1),
                         st.backed_off ? "backed off x4" : "not backed off", base);
    },
    [=](mnfa_atom) -> caf::delegated<mnfa_view> {
      return self->delegate(self->state.mnfa, mnfa_atom_v);
    },
    [=](lock_atom, bool locked) {
      auto& st = self->state;
      if (locked != st.locked) {
        st.locked = locked;
        log::info("controller", "{} {}", st.setup.config.controller,
                  locked ? "locked: heartbeat stopped, own histories zeroed"
                         : "unlocked: heartbeat resumes");
        for (auto& [n, net] : st.networks)
          self->send(net, lock_atom_v, locked || st.action == "none");
        self->send(st.vault, lock_atom_v, locked);
      }
      return st.setup.config.controller + (locked ? " locked" : " unlocked");
    },
  };
}

} // namespace hbs
