// The controller's read side and service duties: status and host tables for hbsctl, state
// dumps (SIGUSR2, hourly audit, role changes) and an ordered shutdown.
#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#include "actors/controller.hpp"
#include "runtime/ctl_format.hpp"
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

int64_t ms_since(self_ptr self, caf::actor_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(self->clock().now() - t).count();
}

struct host_gather {
  std::vector<std::string> names;
  size_t next = 0; // the next name to ask
  std::vector<host_status> hosts;
  std::vector<std::vector<net_host_row>> rows{2};
  // Row by host name: a join by scanning cost hosts² string compares (10,000 hosts: 10^8
  // per network and query, most of a metrics scrape's second).
  std::array<std::unordered_map<std::string_view, size_t>, 2> index;
};

// Asks the next host in line; each answer (or error) asks the one after it, so at most
// hosts_in_flight (controller.hpp) are asked at a time. A host removed since the gather
// began is left as an empty status, as one that did not answer.
void ask_next_host(self_ptr self, const std::shared_ptr<host_gather>& g,
                   const std::shared_ptr<join>& j) {
  while (g->next < g->names.size()) {
    auto i = g->next++;
    auto it = self->state.hosts.find(g->names[i]);
    if (it == self->state.hosts.end()) {
      j->done();
      continue;
    }
    self->request(it->second, query_timeout, status_atom_v)
      .then([self, g, j, i](host_status& s) {
              g->hosts[i] = std::move(s);
              ask_next_host(self, g, j);
              j->done();
            },
            [self, g, j](caf::error&) {
              ask_next_host(self, g, j);
              j->done();
            });
    return;
  }
}

void collect_hosts(self_ptr self, std::vector<std::string> names,
                   std::function<void(std::vector<host_status>)> deliver) {
  auto& st = self->state;
  auto a = std::make_shared<host_gather>();
  a->names = std::move(names);
  a->hosts.resize(a->names.size());
  auto j = std::make_shared<join>();
  j->pending = a->names.size() + st.networks.size() + 1;
  j->finish = [a, deliver, self] {
    for (auto& h : a->hosts) {
      if (auto* r = self->state.control->find(h.name)) {
        h.management = r->management;
        h.cluster_host = r->cluster_host;
      }
      for (auto& ns : h.networks)
        if (auto& ix = a->index[ns.network & 1]; ix.count(h.name)) {
          auto& r = a->rows[ns.network & 1][ix.at(h.name)];
          ns.num_pulses = r.num_pulses;
          ns.last_response_age_ms = r.last_response_age_ms;
          ns.link = r.link;
        }
    }
    deliver(std::move(a->hosts));
  };
  for (size_t k = 0; k < hosts_in_flight; ++k)
    ask_next_host(self, a, j);
  for (auto& [n, net] : st.networks) { // their per-host rows: pulses, response age, link
    auto idx = n & 1;
    self->request(net, query_timeout, hosts_atom_v)
      .then([a, j, idx](std::vector<net_host_row>& rows) {
              a->rows[idx] = std::move(rows);
              auto& ix = a->index[idx];
              ix.reserve(a->rows[idx].size());
              for (size_t k = 0; k < a->rows[idx].size(); ++k)
                ix.emplace(a->rows[idx][k].name, k);
              j->done();
            },
            [j](caf::error&) { j->done(); });
  }
  j->done(); // covers an empty inventory
}

} // namespace

std::string role_note(self_ptr self) {
  auto& st = self->state;
  auto& c = st.setup.config;
  auto& d = st.control->designation();
  if (!st.role_settled)
    return fmt::format("waiting for {}'s state before taking a role (linked: at most {} s; "
                       "else once unreachable for {} ms); the designation names {}",
                       c.peer_name(), std::chrono::duration_cast<std::chrono::seconds>(
                                        peer_state_due).count(), c.peer.hold_off_ms, d.value);
  if (!st.active)
    return fmt::format("{} is designated active (epoch {})", d.value, d.at.epoch());
  if (!c.peer.address.empty() && !st.link_up)
    return fmt::format("{} unreachable for {} s: were it activated meanwhile, both agents are "
                       "active until the link heals; events carry epoch {} (higher wins)",
                       c.peer_name(), ms_since(self, st.link_down_since) / 1000, d.at.epoch());
  return fmt::format("designated active (epoch {})", d.at.epoch());
}

caf::result<agent_status> status(self_ptr self) {
  auto& st = self->state;
  auto rp = self->make_response_promise<agent_status>();
  auto out = std::make_shared<agent_status>();
  out->controller = st.setup.config.controller;
  out->role = st.locked ? (st.active ? "active (locked)" : "inactive (locked)")
                        : (st.active ? "active" : "inactive");
  out->role_note = role_note(self);
  out->epoch = st.control->designation().at.epoch();
  out->version = HBS_VERSION;
  out->action = cfg::to_string(st.control->action().value);
  auto& t = st.control->tune().value;
  out->period_ms = t.period_ms;
  out->minor = t.minor;
  out->degrade = t.degrade;
  out->loss = t.loss;
  for (auto& [name, h] : st.control->hosts()) {
    bool held = st.control->holds(h);
    out->num_hosts += held;
    out->num_started += held && h.monitored && name != st.setup.config.controller;
    out->num_eclipsed += h.present && !held;
  }
  out->uptime_ms = ms_since(self, st.born);
  auto j = std::make_shared<join>();
  j->pending = st.networks.size() + 6;
  j->finish = [self, rp, out]() mutable {
    std::sort(out->networks.begin(), out->networks.end(),
              [](auto& a, auto& b) { return a.network < b.network; });
    for (auto& c : out->networks)
      for (size_t h = 0; h < num_health_states; ++h)
        c.hosts_by_state.push_back(
          self->state.states.count(c.network, static_cast<host_health>(h)));
    rp.deliver(*out);
  };
  if (st.gateway)
    self->request(st.gateway, query_timeout, status_atom_v)
      .then([out, j](sm_counters& c) { out->sm = std::move(c); j->done(); },
            [j](caf::error&) { j->done(); });
  else
    j->done();
  if (st.mtc)
    self->request(st.mtc, query_timeout, status_atom_v)
      .then([out, j](mtc_counters& c) { out->mtc = std::move(c); j->done(); },
            [j](caf::error&) { j->done(); });
  else
    j->done();
  for (auto& [n, net] : st.networks)
    self->request(net, query_timeout, status_atom_v)
      .then([out, j](network_counters& c) { out->networks.push_back(std::move(c)); j->done(); },
            [j](caf::error&) { j->done(); });
  auto file = [out, j](file_health& h) { out->files.push_back(std::move(h)); j->done(); };
  auto lost = [j](caf::error&) { j->done(); };
  self->request(st.events, query_timeout, health_atom_v).then(file, lost);
  self->request(st.alarms, query_timeout, health_atom_v).then(file, lost);
  self->request(st.store, query_timeout, health_atom_v).then(file, lost);
  j->done();
  return rp;
}

namespace {

// A host in the inventory but not heartbeated: another host holds its address.
host_status eclipsed_status(const host_record& r, std::string why) {
  host_status out;
  out.name = r.name;
  out.type = cfg::to_string(r.type);
  out.management = r.management;
  out.cluster_host = r.cluster_host;
  out.started = r.monitored;
  out.eclipsed = std::move(why);
  return out;
}

// The heartbeated hosts' statuses, then the eclipsed hosts' (hbsctl hosts, the state dump).
void add_eclipsed(self_ptr self, std::vector<host_status>& v) {
  auto& cs = *self->state.control;
  for (auto& [name, why] : cs.eclipses())
    if (auto* r = cs.present(name))
      v.push_back(eclipsed_status(*r, why));
}

} // namespace

caf::result<std::vector<host_status>> hosts(self_ptr self) {
  auto rp = self->make_response_promise<std::vector<host_status>>();
  std::vector<std::string> names;
  for (auto& [name, actor] : self->state.hosts)
    names.push_back(name);
  collect_hosts(self, std::move(names), [self, rp](std::vector<host_status> v) mutable {
    add_eclipsed(self, v);
    rp.deliver(std::move(v));
  });
  return rp;
}

caf::result<host_status> host(self_ptr self, const std::string& name) {
  auto& cs = *self->state.control;
  if (auto* r = cs.present(name); r && !cs.holds(*r))
    return eclipsed_status(*r, cs.eclipses()[name]);
  if (!self->state.hosts.count(name))
    return caf::make_error(ec::unknown_host, name);
  auto rp = self->make_response_promise<host_status>();
  collect_hosts(self, {name}, [rp](std::vector<host_status> v) mutable {
    rp.deliver(std::move(v.front()));
  });
  return rp;
}

namespace {

struct dump_parts {
  std::vector<host_status> hosts;
  vault_view vault;
  mnfa_view mnfa;
  std::vector<alarm_view> alarms;
  size_t pending = 4;
};

} // namespace

// The configuration in force: the file's, with run-time changes (tuning, action) applied.
std::string effective_config(self_ptr self) {
  auto& st = self->state;
  auto& c = st.setup.config;
  auto& t = st.control->tune().value;
  auto m = c.mnfa();
  std::string out = fmt::format(
    "config: period {} ms, thresholds minor {} degrade {} loss {}, failure action {}, "
    "cluster-host {}, MNFA threshold {} hosts ({} %), timeout {} s, pulse auth {}, SM {}, "
    "peer {}\n", t.period_ms, t.minor, t.degrade, t.loss,
    cfg::to_string(st.control->action().value),
    c.clstr_degrade_only ? "degrade only" : "fails", m.threshold, m.threshold_percent,
    m.timeout_s, wire::to_string(c.pulse_auth.mode),
    c.sm.enabled ? fmt::format("{}:{}/{}", c.sm.address, c.sm.server_port, c.sm.client_port)
                 : "off",
    c.peer.address.empty() ? "none" : fmt::format("{} {}:{}{}", c.peer_name(), c.peer.address,
                                                  c.peer.port, c.peer.tls ? " (TLS)" : ""));
  for (auto& n : c.networks)
    out += fmt::format("config: {} {} {} request port {} response port {}\n",
                       cfg::network_key(n.index),
                       n.mode == cfg::net_mode::unicast ? "unicast" : "multicast", n.local_address,
                       n.client_port, n.agent_port);
  return out;
}

void dump_state(self_ptr self, const std::string& why,
                std::function<void(std::string)> deliver) {
  auto parts = std::make_shared<dump_parts>();
  auto done = [self, parts, why, deliver] {
    if (--parts->pending != 0)
      return;
    auto& st = self->state;
    auto text = fmt::format("=== {} state dump ({}): {}, {}; {}\n{}{}{}{}{}",
                            st.setup.config.controller, why,
                            st.active ? "active" : "inactive",
                            st.locked ? "locked" : "unlocked", role_note(self),
                            effective_config(self),
                            ctl::render_node_table(parts->hosts, why == "requested"),
                            ctl::render_vault(parts->vault), ctl::render_mnfa(parts->mnfa),
                            ctl::render_alarms(parts->alarms));
    size_t from = 0;
    while (from < text.size()) { // one log line per line of the dump
      auto to = text.find('\n', from);
      log::info("dump", "{}", text.substr(from, to - from));
      from = to == std::string::npos ? text.size() : to + 1;
    }
    if (deliver)
      deliver(text);
  };
  auto& st = self->state;
  self->send(st.vault, dump_atom_v, why); // the "Cluster Vault :" lines and the views (§8)
  std::vector<std::string> names;
  for (auto& [name, actor] : st.hosts)
    names.push_back(name);
  collect_hosts(self, std::move(names), [=](std::vector<host_status> h) {
    add_eclipsed(self, h);
    parts->hosts = std::move(h);
    done();
  });
  self->request(st.vault, query_timeout, vault_atom_v)
    .then([=](vault_view& v) { parts->vault = std::move(v); done(); },
          [=](caf::error&) { done(); });
  self->request(st.mnfa, query_timeout, mnfa_atom_v)
    .then([=](mnfa_view& m) { parts->mnfa = std::move(m); done(); },
          [=](caf::error&) { done(); });
  self->request(st.alarms, query_timeout, alarms_atom_v)
    .then([=](std::vector<alarm_view>& a) { parts->alarms = std::move(a); done(); },
          [=](caf::error&) { done(); });
}

void stop_children(self_ptr self, const caf::error& reason) {
  auto& st = self->state;
  log::info("controller", "stopping: {} hosts, {} networks, peer, SM gateway, vault, MNFA, "
                          "alarms, store, events (reverse spawn order)",
            st.hosts.size(), st.networks.size());
  event e{"agent_stop", st.setup.config.controller, "", "", 0, self->system().render(reason)};
  self->send(st.events, std::move(e));
  auto stop = [&](const auto& child) {
    if (!child)
      return;
    self->unlink_from(child);
    self->send_exit(child, caf::exit_reason::user_shutdown);
  };
  for (auto& [n, h] : st.hosts)
    stop(h);
  for (auto it = st.networks.rbegin(); it != st.networks.rend(); ++it)
    stop(it->second);
  stop(st.peer);
  stop(st.gateway);
  stop(st.store);
  stop(st.vault);
  stop(st.mnfa);
  stop(st.alarms);
  stop(st.events); // last: its mailbox still holds agent_stop, written before it exits
}

} // namespace hbs
