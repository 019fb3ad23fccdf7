#include "actors/control_gateway.hpp"

namespace hbs {

control_actor::behavior_type control_gateway_fn(control_actor::pointer self,
                                                controller_actor ctrl) {
  // Ends with the controller; its own end (an exit sent to it) must not end the controller.
  self->monitor(ctrl);
  self->set_down_handler([=](caf::down_msg&) { self->quit(); });
  // Each handler passes its request on unchanged; the controller validates and answers.
  auto fwd = [self, ctrl](auto... xs) { return self->delegate(ctrl, std::move(xs)...); };
  return {
    [=](status_atom a) { return fwd(a); },
    [=](hosts_atom a) { return fwd(a); },
    [=](host_atom a, std::string& n) { return fwd(a, std::move(n)); },
    [=](add_atom a, std::string& n, cfg::host_type t, std::string& m, std::string& c) {
      return fwd(a, std::move(n), t, std::move(m), std::move(c));
    },
    [=](del_atom a, std::string& n) { return fwd(a, std::move(n)); },
    [=](start_atom a, std::string& n) { return fwd(a, std::move(n)); },
    [=](stop_atom a, std::string& n) { return fwd(a, std::move(n)); },
    [=](events_atom a, uint32_t n) { return fwd(a, n); },
    [=](vault_atom a) { return fwd(a); },
    [=](role_atom a) { return fwd(a); },
    [=](activate_atom a, std::string& n) { return fwd(a, std::move(n)); },
    [=](lock_atom a, bool on) { return fwd(a, on); },
    [=](peer_atom a) { return fwd(a); },
    [=](action_atom a, cfg::failure_action x) { return fwd(a, x); },
    [=](tune_atom a, tuning& t) { return fwd(a, t); },
    [=](alarms_atom a) { return fwd(a); },
    [=](mnfa_atom a) { return fwd(a); },
    [=](dump_atom a) { return fwd(a); },
    [=](period_atom a, std::string& what) { return fwd(a, std::move(what)); },
  };
}

} // namespace hbs
