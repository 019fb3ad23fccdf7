#include "actors/host.hpp"

#include "actors/alarm_table.hpp"
#include "messages/pulse.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = host_actor::stateful_pointer<host_state>;

int64_t mono_ms(self_ptr self) {
  using namespace std::chrono;
  return duration_cast<milliseconds>(self->clock().now().time_since_epoch()).count();
}

void emit(self_ptr self, const char* kind, uint8_t net, uint32_t b2b, std::string detail = {}) {
  auto& s = self->state.setup;
  event e{kind, s.controller, s.name, net < 2 ? cfg::network_key(net) : "", b2b,
          std::move(detail)};
  e.mono_ms = mono_ms(self);
  self->send(s.events, std::move(e));
}

// Set events (minor, degrade, loss) are the active agent's to send; the inactive one logs.
void emit_set(self_ptr self, const char* kind, uint8_t net, uint32_t b2b, std::string detail) {
  if (self->state.setup.active)
    return emit(self, kind, net, b2b, std::move(detail));
  log::info("host", "{} {} {} at {} misses: inactive, the active agent sends this",
            self->state.setup.name, cfg::network_label(net), kind, b2b);
}

// A cluster change the vault pushes to SM ("<host> <Mgmnt|Clstr> heartbeat ...").
void reason(self_ptr self, uint8_t net, const std::string& what) {
  auto& s = self->state.setup;
  if (s.vault)
    self->send(s.vault, reason_atom_v,
               s.name + " " + cfg::network_label(net) + " heartbeat " + what);
}

template <class... Ts>
void to_alarms(self_ptr self, Ts&&... xs) {
  if (self->state.setup.alarms)
    self->send(self->state.setup.alarms, std::forward<Ts>(xs)...);
}

template <class... Ts>
void to_mnfa(self_ptr self, Ts&&... xs) {
  if (self->state.setup.mnfa)
    self->send(self->state.setup.mnfa, std::forward<Ts>(xs)...);
}

// Tells the state sink what changed since it was last told, network by network.
void tell_state(self_ptr self) {
  auto& st = self->state;
  if (!st.setup.states)
    return;
  for (uint8_t n = 0; n < 2; ++n) {
    auto h = st.monitored && st.nets[n] ? health_of(*st.nets[n]) : host_health::none;
    if (h == st.told[n])
      continue;
    st.told[n] = h;
    self->send(st.setup.states, state_atom_v, st.setup.name, n, static_cast<uint8_t>(h));
  }
}

void on_miss(self_ptr self, uint8_t net, liveness& l) {
  auto t = l.on_miss();
  if (self->state.recheck_loss && l.failed() && l.consecutive() == 0) {
    self->state.recheck_loss = false; // stopped again during its recovery: report it now
    to_mnfa(self, loss_atom_v, self->state.setup.name, net);
  }
  auto& name = self->state.setup.name;
  auto b2b = l.b2b();
  if (b2b > 1 && (b2b < l.limits().loss || b2b % 4096 == 0))
    log::info("host", "{} {} Pulse Miss ({}){}", name, cfg::network_label(net), b2b,
              l.degraded() ? " (in degrade)" : l.minor() ? " (in minor)" : "");
  if (t & tr_miss)
    reason(self, net, "miss " + std::to_string(b2b));
  if (t & tr_loss)
    reason(self, net, "loss");
  if (t & tr_minor_set) {
    emit_set(self, "minor_set", net, b2b, {});
    to_mnfa(self, tally_atom_v, name, net, true); // management counts at minor
  }
  if (t & tr_degrade_set) {
    emit_set(self, "degrade_set", net, b2b, {});
    to_alarms(self, raise_atom_v, std::string{alarm_id(net)}, name, uint8_t{1});
    if (net == cfg::cluster_host)
      to_mnfa(self, tally_atom_v, name, net, true); // cluster-host counts at degrade
  }
  if (t & tr_loss) {
    bool degrade_only = t & tr_degrade_only;
    log::error("host", "{} {} *** Heartbeat Loss *** (b2b_misses:0x{:x}){}", name,
               cfg::network_label(net), b2b, degrade_only ? " (degrade only)" : "");
    emit_set(self, "loss", net, b2b, degrade_only ? "degrade only" : "");
    if (auto& l = self->state.nets[net])
      log::info("host", "{} {} counts: misses {}, max b2b {}, minor {}, degrade {}, failures "
                "{}, pulses {}", name, cfg::network_label(net), l->num_misses(), l->max_b2b(),
                l->num_minor(), l->num_degrade(), l->num_loss(), l->num_pulses());
    if (self->state.setup.vault) // a forced history dump on every loss (reference §8)
      self->send(self->state.setup.vault, dump_atom_v, "loss of " + name);
    to_alarms(self, raise_atom_v, std::string{alarm_id(net)}, name, uint8_t{2});
    if (!degrade_only)
      to_mnfa(self, loss_atom_v, name, net);
  }
}

void on_response(self_ptr self, uint8_t net, liveness& l) {
  auto before = l.b2b();
  auto t = l.on_response();
  auto& name = self->state.setup.name;
  if ((t & tr_start) && before > l.limits().degrade)
    log::info("host", "{} {} Pulse Rxed (after {} misses)", name, cfg::network_label(net),
              before);
  if (t & tr_start)
    reason(self, net, "start");
  if (t & tr_pass)
    reason(self, net, "pass");
  if (t & tr_recovered) {
    emit(self, "recovered", net, before);
    self->state.recheck_loss = false;
  }
  if (t & tr_degrade_clear)
    emit(self, "degrade_clear", net, before);
  if (t & tr_minor_clear)
    emit(self, "minor_clear", net, before);
  if (t & (tr_recovered | tr_degrade_clear | tr_minor_clear))
    to_mnfa(self, tally_atom_v, name, net, false);
  // Cleared on recovery, and after ten good periods in a row: a stale alarm (left by a
  // restart or an earlier active agent) must not outlive a healthy host.
  if (t & (tr_recovered | tr_degrade_clear | tr_pass))
    to_alarms(self, clear_atom_v, std::string{alarm_id(net)}, name);
}

// The process-monitor flag (§5.5): absent for 100 responses (counted over the networks
// this host is on) raises 200.006; present again clears it. The period is the one the
// newest verdict was judged at (x4 under MNFA back-off, a SIGHUP change included).
caf::timespan pmond_window(const host_state& st) {
  auto nets = std::max(1, int{st.setup.networks[0]} + int{st.setup.networks[1]});
  return std::chrono::milliseconds{100 * st.setup.period_ms / nets};
}

// A stock client's stall monitor (reference §5.5): a recovery it took is an event (to
// mtcAgent as HOST_STALLED in starlingx mode, from either agent as hbsAgent does); the monitor
// running, or new error bits, a warning. Seen when the bits change: the network reports a
// healthy host's flags only then, so StarlingX's repeat of every 21st response is not kept.
void on_stall_flags(self_ptr self, uint32_t flags) {
  auto& st = self->state;
  auto bits = flags & wire::stall_bits;
  if (bits == st.stall_flags)
    return;
  bool rec = bits & wire::stall_rec_flag;
  bool was_rec = st.stall_flags & wire::stall_rec_flag;
  st.stall_flags = bits;
  if (rec && !was_rec) {
    log::warn("host", "{} stall recovery reported by its client (flags 0x{:08x})",
              st.setup.name, flags);
    emit(self, "host_stalled", 0xFF, 0, fmt::format("stall recovery (flags 0x{:08x})", flags));
  } else if (bits & wire::stall_mon_flag) {
    log::warn("host", "{} stall monitor running (flags 0x{:08x})", st.setup.name, flags);
  }
}

void on_flags(self_ptr self, uint32_t flags) {
  auto& st = self->state;
  on_stall_flags(self, flags);
  bool absent = (flags & wire::pmond_flag) == 0;
  if (absent == st.pmond_absent)
    return;
  st.pmond_absent = absent;
  if (absent) {
    st.pmond_since = self->clock().now();
    self->delayed_send(self, pmond_window(st), tick_atom_v);
  } else if (st.pmond_raised) {
    st.pmond_raised = false;
    emit(self, "pmond_clear", 0xFF, 0, "process monitor alive again");
    to_alarms(self, clear_atom_v, std::string{pmond_alarm_id}, st.setup.name);
  }
}

void set_monitoring(self_ptr self, bool on) {
  auto& st = self->state;
  auto& s = st.setup;
  if (st.monitored == on && on == false)
    return;
  for (uint8_t n = 0; n < 2; ++n) {
    if (!s.networks[n])
      continue;
    bool degrade_only = n == cfg::cluster_host
                        && (s.clstr_degrade_only
                            || (s.standard_system && s.type == cfg::host_type::controller));
    st.nets[n].emplace(s.limits, n == cfg::management, degrade_only);
    if (!on)
      to_mnfa(self, forget_atom_v, s.name);
    emit(self, on ? "heartbeat_start" : "heartbeat_stop", n, 0,
         on && st.monitored ? "restart" : "");
  }
  st.monitored = on;
}

} // namespace

host_actor::behavior_type host_fn(self_ptr self, host_setup s) {
  self->state.setup = std::move(s);
  return {
    [=](pulse_result& r) {
      auto& st = self->state;
      if (!st.monitored || r.network > 1 || !st.nets[r.network])
        return;
      auto& l = *st.nets[r.network];
      st.setup.period_ms = r.period_ms;
      if (r.responded) {
        st.flags[r.network] = r.flags;
        on_flags(self, r.flags);
        on_response(self, r.network, l);
      } else {
        on_miss(self, r.network, l);
      }
      tell_state(self);
    },
    [=](start_atom) {
      set_monitoring(self, true);
      tell_state(self);
    },
    [=](stop_atom) {
      set_monitoring(self, false);
      tell_state(self);
    },
    [=](role_atom, bool active) {
      auto& st = self->state;
      bool became = active && !st.setup.active;
      st.setup.active = active;
      if (!became || !st.monitored)
        return;
      // The new active agent adopted the standing alarms: assert what still holds (a repeat
      // changes nothing: §5.4 auto-correct) and clear what this agent has seen healthy for
      // `loss` periods in a row (as a pass does); a host it has not judged yet (a restart)
      // keeps its alarm until it has.
      bool healthy = false;
      for (uint8_t n = 0; n < 2; ++n) {
        if (!st.nets[n])
          continue;
        auto& l = *st.nets[n];
        bool pass = l.consecutive() >= l.limits().loss;
        healthy |= pass;
        if (l.failed() || l.degraded())
          to_alarms(self, raise_atom_v, std::string{alarm_id(n)}, st.setup.name,
                    static_cast<uint8_t>(l.failed() ? 2 : 1));
        else if (pass)
          to_alarms(self, clear_atom_v, std::string{alarm_id(n)}, st.setup.name);
      }
      if (st.pmond_raised)
        to_alarms(self, raise_atom_v, std::string{pmond_alarm_id}, st.setup.name, uint8_t{1});
      else if (!st.pmond_absent && healthy)
        to_alarms(self, clear_atom_v, std::string{pmond_alarm_id}, st.setup.name);
    },
    [=](reload_atom, uint32_t minor, uint32_t degrade, uint32_t loss) {
      auto& st = self->state;
      st.setup.limits = thresholds{minor, degrade, loss};
      for (auto& l : st.nets)
        if (l)
          l->set_thresholds(st.setup.limits); // counters and state are kept
      tell_state(self);
    },
    [=](loss_atom) { // MNFA is over: a loss it suppressed stands if the host is still silent
      auto& st = self->state;
      for (uint8_t n = 0; n < 2; ++n) {
        if (!st.nets[n] || !st.nets[n]->failed() || !st.monitored)
          continue;
        if (st.nets[n]->consecutive() == 0)
          to_mnfa(self, loss_atom_v, st.setup.name, n);
        else
          st.recheck_loss = true; // answering again: only a new silence re-reports it
      }
    },
    [=](reset_atom) {
      auto& st = self->state;
      for (auto& l : st.nets)
        if (l)
          l->restart();
      to_mnfa(self, forget_atom_v, st.setup.name);
      tell_state(self);
    },
    [=](tick_atom) {
      auto& st = self->state;
      // A check scheduled by an earlier absence must not raise a newer one early.
      if (!st.pmond_absent || st.pmond_raised || !st.monitored
          || self->clock().now() - st.pmond_since < pmond_window(st))
        return;
      st.pmond_raised = true;
      emit(self, "pmond_raise", 0xFF, 0, "process monitor flag absent for 100 responses");
      to_alarms(self, raise_atom_v, std::string{pmond_alarm_id}, st.setup.name, uint8_t{1});
    },
    [=](status_atom) {
      auto& st = self->state;
      host_status out;
      out.name = st.setup.name;
      out.type = cfg::to_string(st.setup.type);
      out.started = st.monitored;
      for (uint8_t n = 0; n < 2; ++n) {
        if (!st.setup.networks[n])
          continue;
        net_status ns;
        ns.network = n;
        ns.monitored = st.monitored;
        ns.flags = st.flags[n];
        if (st.nets[n] && st.monitored) {
          auto& l = *st.nets[n];
          ns.state = to_string(health_of(l));
          ns.b2b = l.b2b();
          ns.max_b2b = l.max_b2b();
          ns.num_misses = l.num_misses();
          ns.num_minor = l.num_minor();
          ns.num_degrade = l.num_degrade();
          ns.num_loss = l.num_loss();
        } else {
          ns.state = "unmonitored";
        }
        out.networks.push_back(ns);
      }
      return out;
    },
  };
}

} // namespace hbs
