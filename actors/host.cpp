#include "actors/host.hpp"

#include "runtime/log.hpp"

namespace hbs {

const char* state_name(const liveness& l) {
  if (l.failed())
    return "lost";
  if (l.degraded())
    return "degraded";
  if (l.minor())
    return "minor";
  return "ok";
}

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

void on_miss(self_ptr self, uint8_t net, liveness& l) {
  auto t = l.on_miss();
  auto& name = self->state.setup.name;
  auto b2b = l.b2b();
  if (b2b > 1 && (b2b < l.limits().loss || b2b % 4096 == 0))
    log::info("host", "{} {} Pulse Miss ({}){}", name, cfg::network_label(net), b2b,
              l.degraded() ? " (in degrade)" : l.minor() ? " (in minor)" : "");
  if (t & tr_miss)
    reason(self, net, "miss " + std::to_string(b2b));
  if (t & tr_loss)
    reason(self, net, "loss");
  if (t & tr_minor_set)
    emit_set(self, "minor_set", net, b2b, {});
  if (t & tr_degrade_set)
    emit_set(self, "degrade_set", net, b2b, {});
  if (t & tr_loss) {
    bool degrade_only = t & tr_degrade_only;
    log::error("host", "{} {} *** Heartbeat Loss *** (b2b_misses:0x{:x}){}", name,
               cfg::network_label(net), b2b, degrade_only ? " (degrade only)" : "");
    emit_set(self, "loss", net, b2b, degrade_only ? "degrade only" : "");
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
  if (t & tr_recovered)
    emit(self, "recovered", net, before);
  if (t & tr_degrade_clear)
    emit(self, "degrade_clear", net, before);
  if (t & tr_minor_clear)
    emit(self, "minor_clear", net, before);
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
      if (r.responded) {
        st.flags[r.network] = r.flags;
        on_response(self, r.network, l);
      } else {
        on_miss(self, r.network, l);
      }
    },
    [=](start_atom) { set_monitoring(self, true); },
    [=](stop_atom) { set_monitoring(self, false); },
    [=](role_atom, bool active) { self->state.setup.active = active; },
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
          ns.state = state_name(l);
          ns.b2b = l.b2b();
          ns.max_b2b = l.max_b2b();
          ns.num_misses = l.num_misses();
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
