#include "actors/mtc_gateway.hpp"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "actors/readiness.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = mtc_gateway_actor::stateful_pointer<mtc_gateway_state>;
using wire::mtc_command;
using wire::mtc_event;

void send_bytes(self_ptr self, datagram_socket& sock, uint32_t addr, uint16_t port,
                const uint8_t* data, size_t size, const char* what) {
  auto& c = self->state.counters;
  outgoing o{addr, 0, port, static_cast<uint16_t>(size), data};
  if (sock.send(&o, 1) == 1)
    return;
  if (c.num_send_errors++ % 100 == 0)
    log::warn("mtc", "cannot send {} to {}:{} ({} send failures)", what, format_ipv4(addr),
              port, c.num_send_errors);
}

void send_event(self_ptr self, mtc_event e, const std::string& host, uint8_t net) {
  auto& st = self->state;
  auto n = wire::encode_mtc_event(e, host, net, "hbsAgent", {st.tx.data(), st.tx.size()});
  ++st.counters.num_events;
  log::info("mtc", "{} {} {} to mtcAgent", host, cfg::network_label(net), to_string(e));
  send_bytes(self, *st.setup.socket, st.setup.mtc_addr, st.setup.event_port, st.tx.data(), n,
             to_string(e));
}

// START and RESTART clear minor and degrade per monitored network (reference §5.7).
void send_clears(self_ptr self, const std::string& host) {
  for (uint8_t net = 0; net < (self->state.setup.cluster_host ? 2 : 1); ++net) {
    send_event(self, mtc_event::minor_clear, host, net);
    send_event(self, mtc_event::degrade_clear, host, net);
  }
}

template <class... Ts>
void ask(self_ptr self, std::string what, Ts&&... xs) {
  self->request(self->state.setup.parent, std::chrono::seconds{10}, std::forward<Ts>(xs)...)
    .then([what](const std::string& done) { log::info("mtc", "{}: {}", what, done); },
          [=](caf::error& e) { log::warn("mtc", "{}: {}", what, self->system().render(e)); });
}

cfg::host_type type_of(uint32_t mask) {
  return (mask & wire::node_controller) ? cfg::host_type::controller
         : (mask & wire::node_storage)  ? cfg::host_type::storage
                                        : cfg::host_type::worker;
}

void apply(self_ptr self, const wire::mtc_command_message& m) {
  auto& st = self->state;
  bool me = m.host == st.setup.controller;
  auto what = fmt::format("mtcAgent {} {}", to_string(m.command), m.host);
  ++st.counters.num_commands;
  switch (m.command) {
    case mtc_command::add_host:
    case mtc_command::mod_host:
      st.counters.inventory = true;
      if (m.mgmt_ip.empty())
        return log::warn("mtc", "{}: no mgmt_ip: ignored", what);
      return ask(self, what, add_atom_v, m.host, type_of(m.node_type), m.mgmt_ip,
                 m.cluster_host_ip, true);
    case mtc_command::del_host:
      st.counters.inventory = true;
      return ask(self, what, del_atom_v, m.host);
    case mtc_command::start_host:
    case mtc_command::restart_hbs:
      st.counters.inventory = true;
      if (!me)
        ask(self, what, start_atom_v, m.host, false);
      return send_clears(self, m.host);
    case mtc_command::stop_host:
      st.counters.inventory = true;
      if (me)
        return; // ignored for self, as the stock agent
      return ask(self, what, stop_atom_v, m.host, false);
    case mtc_command::active_ctrl:
      // The 10 s reminder changes nothing when this agent's role already agrees; when it
      // does not (a restart, an hbsctl activate meanwhile), mtcAgent's word is taken again.
      self->request(st.setup.parent, std::chrono::seconds{10}, role_atom_v)
        .then([=](agent_role r) {
                if ((r == agent_role::active) != me)
                  ask(self, what, activate_atom_v, m.host);
              },
              [=](caf::error& e) {
                log::warn("mtc", "{}: role unknown: {}", what, self->system().render(e));
              });
      return;
    case mtc_command::backoff_hbs:
    case mtc_command::recover_hbs:
      return ask(self, what, backoff_atom_v, m.command == mtc_command::backoff_hbs);
  }
}

void reject(self_ptr self, wire::mtc_error e, uint32_t from) {
  auto& c = self->state.counters;
  auto& n = c.num_rejected[static_cast<size_t>(e)];
  if (n++ % 100 == 0)
    log::warn("mtc", "ignored a command from {}: {} ({} so far)", format_ipv4(from),
              to_string(e), n);
}

void on_datagram(self_ptr self, const datagram& d) {
  auto& src = self->state.setup.sources;
  if (std::find(src.begin(), src.end(), d.addr) == src.end())
    return reject(self, wire::mtc_error::not_allowed, d.addr);
  if (d.size > wire::mtc_message_size)
    return reject(self, wire::mtc_error::oversized, d.addr);
  // Datagrams are read into max_datagram bytes: mtcAgent's JSON sits at the buffer's start.
  wire::mtc_command_message m;
  auto size = std::min<size_t>(d.size, d.data.size());
  if (auto e = wire::decode_mtc_command({d.data.data(), size}, m); e != wire::mtc_error::none)
    return reject(self, e, d.addr);
  apply(self, m);
}

std::optional<mtc_event> event_for(const event& e) {
  static const std::pair<const char*, mtc_event> kinds[] = {
    {"minor_set", mtc_event::minor_set},     {"minor_clear", mtc_event::minor_clear},
    {"degrade_set", mtc_event::degrade_set}, {"degrade_clear", mtc_event::degrade_clear},
    {"loss", mtc_event::loss},               {"pmond_raise", mtc_event::pmond_raise},
    {"pmond_clear", mtc_event::pmond_clear}, {"host_stalled", mtc_event::host_stalled}};
  if (e.kind == "loss" && e.detail == "degrade only")
    return std::nullopt; // the host stays degraded through its DEGRADE_SET (§5.4)
  if (e.kind == "minor_set" && e.network != cfg::network_key(cfg::management))
    return std::nullopt; // cluster-host never sends MINOR (§5.4)
  for (auto& [k, ev] : kinds)
    if (e.kind == k)
      return ev;
  return std::nullopt;
}

} // namespace

std::string mtcalarm_request(const alarm_view& a, bool set) {
  bool pmond = a.id == "200.006";
  auto entity = pmond ? "pmond" : a.id == "200.009" ? "Cluster-host" : "Management";
  nlohmann::json one{{"alarmid", a.id},
                     {"hostname", a.host},
                     {"operation", set ? "set" : "clear"},
                     {"severity", set ? a.severity : "clear"},
                     {"entity", entity},
                     {"prefix", pmond ? "process=" : "network="}};
  return nlohmann::json{{"mtcalarm", nlohmann::json::array({one})}}.dump();
}

mtc_gateway_actor::behavior_type mtc_gateway_fn(self_ptr self, mtc_gateway_setup s) {
  auto& st = self->state;
  st.setup = std::move(s);
  st.counters.enabled = true;
  st.counters.num_rejected.assign(wire::num_mtc_errors, 0);
  wake_on_readable<mtc_gateway_actor>(self, *st.setup.socket);
  self->send(self, tick_atom_v);
  auto to_alarmd = [=](const alarm_view& a, bool set) {
    auto& st = self->state;
    auto body = mtcalarm_request(a, set);
    ++st.counters.num_alarm_requests;
    auto& sock = st.setup.alarm_socket ? *st.setup.alarm_socket : *st.setup.socket;
    send_bytes(self, sock, st.setup.alarm_addr, st.setup.alarm_port,
               reinterpret_cast<const uint8_t*>(body.data()), body.size(), "an alarm request");
  };
  return {
    [=](readable_atom) {
      auto& st = self->state;
      drain(*st.setup.socket, st.rx, [=](const datagram& d) { on_datagram(self, d); });
    },
    [=](const event& e) {
      if (e.host.empty() || e.controller != self->state.setup.controller)
        return;
      if (auto ev = event_for(e))
        send_event(self, *ev, e.host, e.network == cfg::network_key(cfg::cluster_host));
    },
    [=](raise_atom, const alarm_view& a) { to_alarmd(a, true); },
    [=](clear_atom, const alarm_view& a) { to_alarmd(a, false); },
    [=](tick_atom) {
      auto& st = self->state;
      if (st.counters.inventory)
        return;
      send_event(self, mtc_event::ready, st.setup.controller, 0);
      self->delayed_send(self, std::chrono::milliseconds{st.setup.ready_interval_ms},
                         tick_atom_v);
    },
    [=](status_atom) {
      auto c = self->state.counters;
      c.num_kernel_drops = self->state.setup.socket->num_kernel_drops();
      return c;
    },
  };
}

} // namespace hbs
