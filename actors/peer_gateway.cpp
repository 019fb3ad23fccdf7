#include "actors/peer_gateway.hpp"

#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = peer_gateway_actor::stateful_pointer<peer_gateway_state>;

bool refuse(self_ptr self, const char* what, size_t size, size_t limit) {
  auto n = ++self->state.num_refused;
  if (n == 1 || n % 100 == 0)
    log::warn("peer", "refused a {} from the peer ({} over the limit of {}; {} refused)",
              what, size, limit, n);
  return true;
}

} // namespace

peer_gateway_actor::behavior_type peer_gateway_fn(self_ptr self, controller_actor ctrl,
                                                  uint32_t protocol) {
  self->state.controller = ctrl;
  self->state.protocol = protocol;
  // Ends with the controller; its own end (an exit sent to it) must not end the controller.
  self->monitor(ctrl);
  self->set_down_handler([=](caf::down_msg&) { self->quit(); });
  return {
    [=](sync_atom, control_snapshot& s) {
      if (s.hosts.size() > cfg::max_hosts)
        return (void)refuse(self, "control snapshot", s.hosts.size(), cfg::max_hosts);
      ++self->state.num_taken;
      self->send(self->state.controller, peer_atom_v, std::move(s));
    },
    [=](table_atom, std::string& json) {
      if (json.size() > max_table_bytes)
        return (void)refuse(self, "alarm table", json.size(), max_table_bytes);
      ++self->state.num_taken;
      self->send(self->state.controller, peer_atom_v, std::move(json));
    },
    [=](handoff_atom a, control_snapshot& s) -> caf::result<bool> {
      if (s.hosts.size() > cfg::max_hosts) {
        refuse(self, "hand-over", s.hosts.size(), cfg::max_hosts);
        return caf::make_error(caf::sec::request_receiver_down);
      }
      ++self->state.num_taken;
      return self->delegate(self->state.controller, a, std::move(s));
    },
    [=](mnfa_atom, mnfa_report r) {
      ++self->state.num_taken;
      self->send(self->state.controller, peer_atom_v, r);
    },
    [=](hello_atom, caf::actor_addr& gw) {
      // It dialed in: link back to its gateway, which must live where the hello came from.
      auto sender = self->current_sender();
      if (!gw || !sender || gw.node() != sender->node()) {
        refuse(self, "hello naming a gateway elsewhere", 0, 0);
        return;
      }
      ++self->state.num_taken;
      self->send(self->state.controller, peer_atom_v, std::move(gw));
    },
    [=](ping_atom) { return self->state.num_taken; },
    [=](protocol_atom) -> caf::result<uint32_t, std::string> {
      return {self->state.protocol, std::string{HBS_VERSION}};
    },
  };
}

} // namespace hbs
