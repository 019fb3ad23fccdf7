#include "actors/controller.hpp"

#include <chrono>

#include "actors/events.hpp"
#include "actors/host.hpp"
#include "actors/network.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = controller_actor::stateful_pointer<controller_state>;
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

bool on_network(const controller_state& st, const cfg::host_config& h, uint8_t n) {
  if (!st.setup.config.network(n))
    return false;
  return n == cfg::management ? !h.management.empty() : !h.cluster_host.empty();
}

std::string spawn_host(self_ptr self, const cfg::host_config& h) {
  auto& st = self->state;
  auto& c = st.setup.config;
  host_setup hs;
  hs.name = h.name;
  hs.type = h.type;
  hs.controller = c.controller;
  hs.active = st.setup.active;
  hs.limits = c.limits;
  hs.networks = {on_network(st, h, cfg::management), on_network(st, h, cfg::cluster_host)};
  hs.clstr_degrade_only = c.clstr_degrade_only;
  hs.standard_system = c.standard_system;
  hs.events = st.events;
  st.hosts[h.name] = {h, self->spawn<caf::linked>(host_fn, std::move(hs)), false};
  return "added " + h.name;
}

std::string set_started(self_ptr self, const std::string& name, bool on) {
  auto& st = self->state;
  auto& e = st.hosts.at(name);
  if (name == st.setup.config.controller)
    return name + " is this controller: never heartbeats itself";
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
  bool was = e.started;
  e.started = on;
  log::info("controller", "{} heartbeat {}", name, on ? (was ? "restart" : "start") : "stop");
  return name + (on ? (was ? " restarted" : " started") : " stopped");
}

caf::error check_new_host(self_ptr self, const cfg::host_config& h) {
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

void collect_hosts(self_ptr self, std::vector<std::string> names,
                   std::function<void(std::vector<host_status>)> deliver) {
  auto& st = self->state;
  struct acc {
    std::vector<host_status> hosts;
    std::vector<std::vector<net_host_row>> rows;
  };
  auto a = std::make_shared<acc>();
  a->hosts.resize(names.size());
  a->rows.resize(2);
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
    auto idx = n;
    self->request(net, query_timeout, hosts_atom_v)
      .then([a, j, idx](std::vector<net_host_row>& rows) { a->rows[idx] = std::move(rows);
                                                           j->done(); },
            [j](caf::error&) { j->done(); });
  }
  j->done(); // covers an empty inventory
}

void spawn_children(self_ptr self) {
  auto& st = self->state;
  auto& c = st.setup.config;
  st.events = self->spawn<caf::linked>(events_fn, events_setup{st.setup.events_path, 1000});
  for (size_t i = 0; i < c.networks.size(); ++i) {
    network_setup ns{c.networks[i], c.controller, c.controller_number(), c.period_ms,
                     c.limits, st.setup.sockets.at(i)};
    st.networks.emplace_back(c.networks[i].index, self->spawn<caf::linked>(network_fn, ns));
  }
  for (auto& h : c.hosts)
    spawn_host(self, h);
  for (auto& h : c.hosts)
    if (h.start && h.name != c.controller)
      set_started(self, h.name, true);
}

} // namespace

controller_actor::behavior_type controller_fn(self_ptr self, controller_setup s) {
  self->state.setup = std::move(s);
  self->state.born = self->clock().now();
  spawn_children(self);
  log::info("controller", "{} heartbeating {} host(s) on {} network(s), period {} ms, {}",
            self->state.setup.config.controller, self->state.hosts.size(),
            self->state.networks.size(), self->state.setup.config.period_ms,
            self->state.setup.active ? "active" : "inactive");
  return {
    [=](status_atom) -> caf::result<agent_status> {
      auto& st = self->state;
      auto rp = self->make_response_promise<agent_status>();
      auto out = std::make_shared<agent_status>();
      out->controller = st.setup.config.controller;
      out->role = st.setup.active ? "active" : "inactive";
      out->version = "0.1.0";
      out->num_hosts = st.hosts.size();
      for (auto& [name, e] : st.hosts)
        out->num_started += e.started;
      out->uptime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         self->clock().now() - st.born).count();
      auto j = std::make_shared<join>();
      j->pending = st.networks.size() + 1;
      j->finish = [rp, out]() mutable { rp.deliver(*out); };
      for (auto& [n, net] : st.networks)
        self->request(net, query_timeout, status_atom_v)
          .then([out, j](network_counters& c) { out->networks.push_back(std::move(c));
                                                j->done(); },
                [j](caf::error&) { j->done(); });
      j->done();
      return rp;
    },
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
      cfg::host_config h{name, cfg::host_type::worker, mgmt, clstr, false};
      if (type == "controller")
        h.type = cfg::host_type::controller;
      else if (type == "storage")
        h.type = cfg::host_type::storage;
      else if (type != "worker")
        return caf::make_error(ec::bad_argument, "type \"" + type
                                                   + "\": allowed controller | worker | storage");
      if (auto err = check_new_host(self, h))
        return err;
      log::info("controller", "inventory add {} ({}) {} {}", name, type, mgmt, clstr);
      return spawn_host(self, h);
    },
    [=](del_atom, const std::string& name) -> caf::result<std::string> {
      auto& st = self->state;
      auto it = st.hosts.find(name);
      if (it == st.hosts.end())
        return caf::make_error(ec::unknown_host, name);
      if (it->second.started)
        set_started(self, name, false);
      self->unlink_from(it->second.actor);
      self->send_exit(it->second.actor, caf::exit_reason::user_shutdown);
      st.hosts.erase(it);
      log::info("controller", "inventory del {}", name);
      return "deleted " + name;
    },
    [=](start_atom, const std::string& name) -> caf::result<std::string> {
      if (!self->state.hosts.count(name))
        return caf::make_error(ec::unknown_host, name);
      return set_started(self, name, true);
    },
    [=](stop_atom, const std::string& name) -> caf::result<std::string> {
      if (!self->state.hosts.count(name))
        return caf::make_error(ec::unknown_host, name);
      return set_started(self, name, false);
    },
    [=](events_atom, uint32_t n) -> caf::delegated<std::vector<event>> {
      return self->delegate(self->state.events, events_atom_v, n);
    },
  };
}

} // namespace hbs
