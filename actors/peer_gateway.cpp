#include "actors/peer_gateway.hpp"

#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = peer_gateway_actor::stateful_pointer<peer_gateway_state>;

void refuse(self_ptr self, const std::string& why) {
  auto n = ++self->state.num_refused;
  if (n == 1 || n % 100 == 0)
    log::warn("peer", "the peer gateway refused {} ({} refused so far)", why, n);
}

// From the admitted peer node, or this process (a handle handed over in-process).
bool heard(self_ptr self, const char* what) {
  auto sender = self->current_sender();
  if (sender && (sender->node() == self->node() || sender->node() == self->state.admitted))
    return true;
  refuse(self, fmt::format("{} from a node that said no peer protocol (no hello)", what));
  return false;
}

std::string over(const char* what, size_t size, size_t limit) {
  return fmt::format("a {} of {} (over the limit of {})", what, size, limit);
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
      if (!heard(self, "a control snapshot"))
        return;
      if (s.hosts.size() > cfg::max_hosts)
        return refuse(self, over("control snapshot", s.hosts.size(), cfg::max_hosts));
      ++self->state.num_taken;
      self->send(self->state.controller, peer_atom_v, std::move(s));
    },
    [=](table_atom, std::string& json) {
      if (!heard(self, "an alarm table"))
        return;
      if (json.size() > max_table_bytes)
        return refuse(self, over("alarm table", json.size(), max_table_bytes));
      ++self->state.num_taken;
      self->send(self->state.controller, peer_atom_v, std::move(json));
    },
    [=](handoff_atom a, control_snapshot& s) -> caf::result<bool> {
      if (!heard(self, "a hand-over"))
        return caf::make_error(caf::sec::request_receiver_down);
      if (s.hosts.size() > cfg::max_hosts) {
        refuse(self, over("hand-over", s.hosts.size(), cfg::max_hosts));
        return caf::make_error(caf::sec::request_receiver_down);
      }
      ++self->state.num_taken;
      return self->delegate(self->state.controller, a, std::move(s));
    },
    [=](mnfa_atom, mnfa_report r) {
      if (!heard(self, "an MNFA state"))
        return;
      ++self->state.num_taken;
      self->send(self->state.controller, peer_atom_v, r);
    },
    [=](hello_atom, caf::actor_addr& gw, uint32_t protocol) {
      // It dialed in: link back to its gateway, which must live where the hello came from,
      // and speak this protocol (it asked first; this side links on the hello alone).
      auto sender = self->current_sender();
      if (!gw || !sender || gw.node() != sender->node())
        return refuse(self, "a hello naming a gateway elsewhere");
      if (protocol != self->state.protocol)
        return refuse(self, fmt::format("a hello of peer protocol {} (this agent's: {})",
                                        protocol, self->state.protocol));
      self->state.admitted = sender->node(); // one peer: a restarted one replaces it
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
