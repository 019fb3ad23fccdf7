#include "actors/control_gateway.hpp"

#include <openssl/crypto.h>

#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = control_actor::stateful_pointer<control_gateway_state>;

bool admitted(self_ptr self, const credential& c) {
  auto& want = self->state.token;
  if (!want.empty() && c.token.size() == want.size()
      && CRYPTO_memcmp(c.token.data(), want.data(), want.size()) == 0)
    return true;
  auto n = ++self->state.num_refused;
  if (n == 1 || n % 100 == 0)
    log::warn("control", "refused a command without the control credential ({} so far)", n);
  return false;
}

} // namespace

control_actor::behavior_type control_gateway_fn(self_ptr self, controller_actor ctrl,
                                                std::string token) {
  self->state.controller = ctrl;
  self->state.token = std::move(token);
  // Ends with the controller; its own end (an exit sent to it) must not end the controller.
  self->monitor(ctrl);
  self->set_down_handler([=](caf::down_msg&) { self->quit(); });
  // Inspection is passed on unchanged; a command only with the credential, without it.
  auto fwd = [self, ctrl](auto... xs) { return self->delegate(ctrl, std::move(xs)...); };
  auto cmd = [self, ctrl](const credential& c, auto... xs) -> caf::result<std::string> {
    if (!admitted(self, c))
      return caf::make_error(ec::not_allowed, "this command needs the control credential");
    return self->delegate(ctrl, std::move(xs)...);
  };
  return {
    [=](status_atom a) { return fwd(a); },
    [=](hosts_atom a) { return fwd(a); },
    [=](host_atom a, std::string& n) { return fwd(a, std::move(n)); },
    [=](events_atom a, uint32_t n) { return fwd(a, n); },
    [=](vault_atom a) { return fwd(a); },
    [=](role_atom a) { return fwd(a); },
    [=](peer_atom a) { return fwd(a); },
    [=](alarms_atom a) { return fwd(a); },
    [=](mnfa_atom a) { return fwd(a); },
    [=](dump_atom a) { return fwd(a); },
    [=](period_atom a) { return fwd(a); },
    [=](add_atom a, const credential& c, std::string& n, cfg::host_type t, std::string& m,
        std::string& cl) { return cmd(c, a, std::move(n), t, std::move(m), std::move(cl)); },
    [=](del_atom a, const credential& c, std::string& n) { return cmd(c, a, std::move(n)); },
    [=](start_atom a, const credential& c, std::string& n) { return cmd(c, a, std::move(n)); },
    [=](stop_atom a, const credential& c, std::string& n) { return cmd(c, a, std::move(n)); },
    [=](activate_atom a, const credential& c, std::string& n) {
      return cmd(c, a, std::move(n));
    },
    [=](lock_atom a, const credential& c, bool on) { return cmd(c, a, on); },
    [=](action_atom a, const credential& c, cfg::failure_action x) { return cmd(c, a, x); },
    [=](tune_atom a, const credential& c, tuning& t) { return cmd(c, a, t); },
    [=](backoff_atom a, const credential& c, bool on) { return cmd(c, a, on); },
  };
}

} // namespace hbs
