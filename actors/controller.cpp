#include "actors/controller.hpp"

#include <chrono>

#include <fmt/format.h>

#include "actors/alarm_table.hpp"
#include "actors/alarms.hpp"
#include "actors/events.hpp"
#include "actors/mnfa.hpp"
#include "actors/mtc_gateway.hpp"
#include "actors/network.hpp"
#include "actors/peer.hpp"
#include "actors/sm_gateway.hpp"
#include "actors/store.hpp"
#include "actors/vault.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = controller_ptr;

template <class... Ts>
auto spawn_child(self_ptr self, bool own_thread, Ts&&... xs) {
  return own_thread ? self->spawn<caf::linked + caf::detached>(std::forward<Ts>(xs)...)
                    : self->spawn<caf::linked>(std::forward<Ts>(xs)...);
}

std::vector<std::string> verdicts_in(const std::string& table_json) {
  alarm_table t;
  std::string err;
  std::vector<std::string> out;
  if (!table_json.empty() && t.from_json(table_json, err))
    for (auto& [host, kind] : t.verdicts())
      out.push_back(host);
  return out;
}

// mtcAgent may send from the floating address or either controller's own.
mtc_gateway_setup mtc_setup(self_ptr self) {
  auto& st = self->state;
  auto& c = st.setup.config;
  mtc_gateway_setup m{c.controller, st.setup.mtc_socket, st.setup.mtc_alarm_socket,
                      parse_ipv4(c.starlingx.mtc_address), c.starlingx.event_port,
                      parse_ipv4(c.starlingx.alarm_address), c.starlingx.alarm_port,
                      c.starlingx.ready_interval_ms, {}, c.network(cfg::cluster_host) != nullptr,
                      caf::actor_cast<controller_actor>(self)};
  for (auto& a : {c.starlingx.mtc_address, c.networks.front().local_address, c.peer.address})
    if (!a.empty())
      m.sources.push_back(parse_ipv4(a));
  return m;
}

void spawn_children(self_ptr self) {
  auto& st = self->state;
  auto& c = st.setup.config;
  auto me = caf::actor_cast<controller_actor>(self);
  bool own = st.setup.own_threads;
  auto& cs = *st.control;
  if (st.setup.mtc_socket)
    st.mtc = spawn_child(self, own, mtc_gateway_fn, mtc_setup(self));
  st.events = spawn_child(self, own, events_fn,
                          events_setup{st.setup.events_path, 1000, st.setup.events_max_bytes,
                                       st.setup.events_keep, st.setup.hooks, st.mtc});
  st.epoch = cs.designation().at.epoch();
  self->send(st.events, epoch_atom_v, st.epoch);
  st.alarms = spawn_child(self, own, alarms_fn,
                          alarms_setup{c.controller, false, st.setup.alarms_path,
                                       st.setup.alarms_json, st.events, me, st.mtc});
  auto& t = cs.tune().value;
  st.mnfa = self->spawn<caf::linked>(
    mnfa_fn, mnfa_setup{c.controller, c.mnfa(), cs.action().value, false, t.period_ms,
                        st.events, me, st.alarms, verdicts_in(st.setup.alarms_json)});
  st.vault = self->spawn<caf::linked>(
    vault_fn, vault_setup{c.controller, static_cast<uint8_t>(c.controller_number()),
                          static_cast<uint16_t>(t.period_ms)});
  st.store = spawn_child(self, own, store_fn, st.setup.control_path);
  if (st.setup.sm_socket) {
    sm_gateway_setup gs{st.setup.sm_socket, parse_ipv4(c.sm.address), c.sm.client_port,
                        st.vault, c.sm.max_requests_per_s};
    st.gateway = spawn_child(self, own, sm_gateway_fn, gs);
    self->send(st.vault, sm_atom_v, st.gateway);
  }
  for (size_t i = 0; i < c.networks.size(); ++i) {
    network_setup ns{c.networks[i], c.controller, c.controller_number(), t.period_ms,
                     {t.minor, t.degrade, t.loss}, st.setup.sockets.at(i), st.vault,
                     i < st.setup.progress.size() ? st.setup.progress[i] : nullptr,
                     st.setup.pulse_auth, st.setup.rtt_stamps_per_s};
    auto net = self->spawn<caf::linked>(network_fn, ns);
    self->send(st.vault, network_atom_v, net);
    st.networks.emplace_back(c.networks[i].index, net);
  }
  std::vector<std::string> paths;
  if (!c.peer.address.empty() && st.setup.dial_peer)
    paths.push_back(c.peer.address);
  if (!c.peer.cluster_address.empty() && st.setup.dial_peer)
    paths.push_back(c.peer.cluster_address);
  st.peer = spawn_child(self, own, peer_fn,
                        peer_setup{c.controller, c.peer_name(), paths, c.peer.port, me, own,
                                   st.setup.peer_tls, c.controller_number() == 0,
                                   st.setup.peer_protocol});
  apply_all(self);
}

void start_role_clock(self_ptr self) {
  auto& c = self->state.setup.config;
  if (c.under_mtc())
    return; // mtcAgent's ACTIVE_CTRL settles the role, nothing else (reference §1.2)
  if (c.peer.address.empty() || c.peer.hold_off_ms == 0) { // simplex: nobody to wait for
    self->state.role_settled = true;
    return evaluate_role(self);
  }
  // Checked each second (on_holdoff): the link may come and go meanwhile.
  self->delayed_send(self, std::min<caf::timespan>(std::chrono::milliseconds{c.peer.hold_off_ms},
                                                   std::chrono::seconds{1}),
                     holdoff_atom_v);
}

void on_link(self_ptr self, bool up) {
  auto& st = self->state;
  st.link_up = up;
  self->send(st.vault, reason_atom_v, std::string{"peer link "} + (up ? "up" : "down"));
  self->send(st.mnfa, link_atom_v, up);
  if (!up) {
    st.link_down_since = self->clock().now();
    return;
  }
  st.link_up_since = self->clock().now();
  // Anti-entropy: everything this agent holds, then (if active) the alarm table: in that
  // order, or a peer still active from a partition ignores the table as it steps down. The
  // peer does the same; both merge both and end equal.
  when_durable(self, [self, s = st.control->full()](const std::string&) mutable {
    auto& st = self->state;
    self->send(st.peer, sync_atom_v, std::move(s));
    if (st.active)
      self->request(st.alarms, std::chrono::seconds{2}, table_atom_v)
        .then([=](std::string& json) { self->send(self->state.peer, table_atom_v, json); },
              [](caf::error&) {});
  });
}

// The role settles without the peer's state only once the peer was unreachable for the
// hold-off, or linked for peer_state_due without its state coming (linked, its state is on
// its way, held at most by the peer's disk, and settling on this agent's own designation
// meanwhile could make two active agents), or, however the link came and went, after both
// (a link flapping faster than either must not keep the role open for ever).
void on_holdoff(self_ptr self) {
  auto& st = self->state;
  if (st.role_settled)
    return;
  auto now = self->clock().now();
  auto hold_off = std::chrono::milliseconds{st.setup.config.peer.hold_off_ms};
  auto ms = [](caf::timespan t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t).count();
  };
  std::string why;
  caf::timespan left;
  if (st.link_up) {
    left = peer_state_due - (now - st.link_up_since);
    why = fmt::format("linked to the peer for {} ms, but its state did not come",
                      ms(now - st.link_up_since));
    if (left > caf::timespan{0} && !std::exchange(st.holdoff_noted, true))
      log::info("controller", "link to {} up, its state not here yet: no role until it "
                "comes (at most {} s)", st.setup.config.peer_name(), ms(peer_state_due) / 1000);
  } else {
    left = hold_off - (now - st.link_down_since);
    why = fmt::format("no link to the peer for {} ms (unreachable, or refused: hbsctl peer "
                      "says which)", ms(now - st.link_down_since));
  }
  if (auto cap = hold_off + peer_state_due - (now - st.born); cap <= caf::timespan{0})
    left = cap;
  if (left > caf::timespan{0})
    return self->delayed_send(self, std::min<caf::timespan>(left, std::chrono::seconds{1}),
                              holdoff_atom_v);
  log::warn("controller", "{}: the persisted designation rules ({} is active, epoch {})", why,
            st.control->designation().value, st.control->designation().at.epoch());
  st.role_settled = true;
  evaluate_role(self);
}

void on_peer_table(self_ptr self, std::string& json) {
  auto& st = self->state;
  if (st.active) {
    log::warn("controller", "ignored the peer's alarm table: this agent is active");
    return;
  }
  self->send(st.mnfa, verdict_atom_v, verdicts_in(json));
  self->send(st.alarms, table_atom_v, std::move(json));
}

} // namespace

controller_actor::behavior_type controller_fn(self_ptr self, controller_setup s) {
  auto& st = self->state;
  st.setup = std::move(s);
  st.born = self->clock().now();
  st.link_down_since = st.born;
  st.control = st.setup.control ? std::move(st.setup.control)
                                : std::optional<control_state>{std::in_place, st.setup.config};
  st.setup.control.reset();
  st.durable_generation = st.control->generation(); // loaded from the disk
  spawn_children(self);
  // A change taken but waiting for the next write (coalesced behind one on its way) is
  // written before the store stops: the next start must not come up without it, nor its
  // caller go unanswered. Bounded by the store's timeout.
  self->set_exit_handler([=](caf::exit_msg& msg) {
    if (self->state.stopping)
      return;
    auto& st = self->state;
    st.stopping = true;
    auto reason = msg.reason;
    if (!st.writing && !st.retry_scheduled) { // nothing waits for the disk
      stop_children(self, reason);
      return self->quit(reason);
    }
    log::info("controller", "stopping once the control state's last change is written");
    persist(self, [=](const std::string& err) {
      if (!err.empty())
        log::error("controller", "stopping without the control state's last change "
                   "written: {}", err);
      stop_children(self, reason);
      self->quit(reason);
    });
  });
  // StarlingX's state audit: first 30 s after start, then hourly (§8).
  self->delayed_send(self, std::chrono::seconds{30}, audit_atom_v);
  log::info("controller", "{} heartbeating {} host(s) on {} network(s), period {} ms; starts "
            "inactive, designation names {} (epoch {})", st.setup.config.controller,
            st.hosts.size(), st.networks.size(), st.control->tune().value.period_ms,
            st.control->designation().value, st.control->designation().at.epoch());
  start_role_clock(self);
  return {
    [=](status_atom) { return status(self); },
    [=](hosts_atom) { return hosts(self); },
    [=](host_atom, const std::string& name) { return host(self, name); },
    [=](add_atom, const std::string& name, cfg::host_type type, const std::string& mgmt,
        const std::string& clstr) { return add_host(self, name, type, mgmt, clstr); },
    [=](add_atom, const std::string& name, cfg::host_type type, const std::string& mgmt,
        const std::string& clstr, bool) { return put_host(self, name, type, mgmt, clstr); },
    [=](del_atom, const std::string& name) { return del_host(self, name); },
    [=](start_atom, const std::string& name) { return set_started(self, name, true); },
    [=](start_atom, const std::string& name, bool) {
      return set_started(self, name, true, false);
    },
    [=](stop_atom, const std::string& name, bool) {
      return set_started(self, name, false, false);
    },
    [=](stop_atom, const std::string& name) { return set_started(self, name, false); },
    [=](activate_atom, const std::string& name) { return activate(self, name); },
    [=](action_atom, cfg::failure_action a) { return set_action(self, a); },
    [=](tune_atom, const tuning& t) { return set_tuning(self, t); },
    [=](lock_atom, bool on) { return set_lock(self, on); },
    [=](period_atom) { return period_command(self, "show"); },
    [=](backoff_atom, bool on) { return period_command(self, on ? "backoff" : "recover"); },
    [=](events_atom, uint32_t n) -> caf::delegated<std::vector<event>> {
      return self->delegate(self->state.events, events_atom_v, n);
    },
    [=](vault_atom) -> caf::delegated<vault_view> {
      return self->delegate(self->state.vault, vault_atom_v);
    },
    [=](alarms_atom) -> caf::delegated<std::vector<alarm_view>> {
      return self->delegate(self->state.alarms, alarms_atom_v);
    },
    [=](mnfa_atom) -> caf::delegated<mnfa_view> {
      return self->delegate(self->state.mnfa, mnfa_atom_v);
    },
    [=](role_atom) { return self->state.active ? agent_role::active : agent_role::inactive; },
    [=](peer_atom) -> caf::result<peer_status> {
      auto rp = self->make_response_promise<peer_status>();
      self->request(self->state.peer, std::chrono::seconds{2}, peer_atom_v).then(
        [=](peer_status& p) mutable {
          auto& st = self->state;
          auto& d = st.control->designation();
          p.role = st.active ? "active" : "inactive";
          p.generation = st.control->generation();
          p.designation = d.value;
          p.epoch = d.at.epoch();
          p.peer_locked = st.control->locked(st.control->number() ^ 1);
          p.num_syncs = st.num_syncs;
          p.num_refused = st.num_refused;
          rp.deliver(std::move(p));
        },
        [=](caf::error& e) mutable { rp.deliver(std::move(e)); });
      return rp;
    },
    [=](dump_atom) -> caf::result<std::string> {
      auto rp = self->make_response_promise<std::string>();
      dump_state(self, "requested", [rp](std::string text) mutable { rp.deliver(text); });
      return rp;
    },
    // Internal notices: children, the peer gateway, the supervisor.
    [=](peer_atom, control_snapshot& s) { from_peer(self, s); },
    [=](handoff_atom, control_snapshot& s) {
      from_peer(self, s);
      // Also as a change of its own: the peer's request may have timed out before this
      // answer arrives (a link slow to fail over), and then only this tells it that it is
      // designated; both were left inactive otherwise (nemesis seed 1839).
      share(self, self->state.control->delta({}));
      return !self->state.active; // the designation it carries names the peer
    },
    [=](peer_atom, std::string& table) { on_peer_table(self, table); },
    [=](state_atom, const std::string& host, uint8_t net, uint8_t health) {
      // Only from the host's current actor: a killed one's last words (deleted, or replaced
      // when its addresses changed) must not count for the host of that name now.
      auto& st = self->state;
      auto it = st.hosts.find(host);
      if (it != st.hosts.end() && self->current_sender() == caf::actor_cast<
                                    caf::strong_actor_ptr>(it->second))
        st.states.set(host, net, static_cast<host_health>(health));
    },
    [=](peer_atom, mnfa_report r) {
      if (r.forced)
        set_backoff(self, r.backed_off);
      else
        self->send(self->state.mnfa, mnfa_atom_v, r);
    },
    [=](link_atom, bool up) { on_link(self, up); },
    [=](peer_atom, caf::actor_addr& gw) { // it dialed in
      self->send(self->state.peer, link_atom_v, caf::actor_cast<peer_gateway_actor>(gw));
    },
    [=](hello_atom, caf::actor_addr& own) { self->send(self->state.peer, hello_atom_v, own); },
    [=](holdoff_atom) { on_holdoff(self); },
    [=](mnfa_atom, bool on) { set_backoff(self, on); },
    [=](mnfa_atom, mnfa_report r) { self->send(self->state.peer, mnfa_atom_v, r); },
    [=](table_atom, std::string& json) {
      if (self->state.active)
        self->send(self->state.peer, table_atom_v, std::move(json));
    },
    [=](flock_atom, bool on) {
      self->state.file_locked = on;
      apply_lock(self);
    },
    [=](store_atom) {
      self->state.retry_scheduled = false;
      persist(self, nullptr);
    },
    [=](audit_atom) {
      dump_state(self, "audit", nullptr);
      self->delayed_send(self, std::chrono::hours{1}, audit_atom_v);
    },
    [=](reload_atom, tuning t, bool tune_changed, cfg::failure_action a,
        bool action_changed) {
      self->send(self->state.events, reload_atom_v); // SIGHUP reopens events.jsonl too
      return reload(self, t, tune_changed, a, action_changed);
    },
  };
}

} // namespace hbs
