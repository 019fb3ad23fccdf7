// The operator's commands (hbsctl through the control gateway, SIGHUP through the
// supervisor): checked here, then taken as one stamped change of the control state. A
// command that states a value this agent has already is stamped all the same: the peer may
// hold another value, set unseen across a partition, and the operator's later word must win
// there too (nemesis seed 20261205: a restart at controller-1 lost to controller-0's
// earlier stop).
#include <fmt/format.h>

#include "actors/controller.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = controller_ptr;

// A hand-over the peer has not confirmed by then failed (its link keepalive is 1 s).
constexpr auto handoff_timeout = std::chrono::seconds{2};

caf::error refused(ec code, std::string why) {
  return caf::make_error(code, std::move(why));
}

// The next stamp, or why there is none (only once a generation reaches 2^53 - 1, as a
// corrupted peer's clock could make it: a reset is needed).
std::optional<stamp> next(self_ptr self, caf::error& err) {
  auto s = self->state.control->next(wall_now(self));
  if (s)
    self->state.last_stamp = s->generation; // leaves only once on disk (when_durable)
  if (!s)
    err = refused(ec::bad_argument, "control state generations exhausted: restart both agents "
                                    "with --reset-state");
  return s;
}

// Which of a host's two registers a command states (messages/control.hpp): only those are
// stamped.
enum class states { membership, start, both };

caf::result<std::string> change_host(self_ptr self, host_record r, states what,
                                     std::string done) {
  caf::error err;
  auto s = next(self, err);
  if (!s)
    return err;
  if (what != states::start)
    r.at = *s;
  if (what != states::membership)
    r.started_at = *s;
  auto delta = self->state.control->delta({});
  delta.hosts = {std::move(r)};
  return take(self, std::move(delta), std::move(done));
}

// In the inventory, held or eclipsed (a command on an eclipsed host states its registers
// like any other's; only a held host has an actor).
const host_record* known(self_ptr self, const std::string& name) {
  return self->state.control->present(name);
}

} // namespace

caf::result<std::string> add_host(self_ptr self, const std::string& name, cfg::host_type type,
                                  const std::string& mgmt, const std::string& clstr) {
  if (static_cast<uint8_t>(type) > static_cast<uint8_t>(cfg::host_type::storage))
    return refused(ec::bad_argument, "type: allowed controller | worker | storage");
  if (auto* h = known(self, name)) {
    if (h->type != type || h->management != mgmt || h->cluster_host != clstr)
      return refused(ec::duplicate_host, name);
    return change_host(self, *h, states::membership, name + " already present"); // restated
  }
  if (self->state.control->hosts().size() >= cfg::max_hosts)
    return refused(ec::bad_argument, fmt::format("inventory full: {} hosts", cfg::max_hosts));
  return change_host(self, {name, type, mgmt, clstr, true, false, {}, {}}, states::both,
                     "added " + name);
}

caf::result<std::string> put_host(self_ptr self, const std::string& name, cfg::host_type type,
                                  const std::string& mgmt, const std::string& clstr) {
  auto* h = known(self, name);
  if (!h)
    return add_host(self, name, type, mgmt, clstr);
  if (static_cast<uint8_t>(type) > static_cast<uint8_t>(cfg::host_type::storage))
    return refused(ec::bad_argument, "type: allowed controller | worker | storage");
  // mtcAgent restates its whole inventory after every restart: only changes are stamped.
  if (h->type == type && h->management == mgmt && h->cluster_host == clstr)
    return name + " unchanged";
  auto r = *h;
  auto was = fmt::format("{} {} {}", cfg::to_string(r.type), r.management, r.cluster_host);
  r.type = type;
  r.management = mgmt;
  r.cluster_host = clstr;
  return change_host(self, r, states::membership,
                     fmt::format("modified {} (was {}; now {} {} {})", name, was,
                                 cfg::to_string(type), mgmt, clstr));
}

caf::result<std::string> del_host(self_ptr self, const std::string& name) {
  auto* h = known(self, name);
  if (!h)
    return refused(ec::unknown_host, name);
  auto r = *h;
  r.present = false;
  return change_host(self, r, states::membership, "deleted " + name);
}

caf::result<std::string> set_started(self_ptr self, const std::string& name, bool on,
                                     bool restate) {
  auto* h = known(self, name);
  if (!h)
    return refused(ec::unknown_host, name);
  if (name == self->state.setup.config.controller)
    return name + " is this controller: it never heartbeats itself";
  auto r = *h;
  if (on == h->monitored) {
    if (auto it = self->state.hosts.find(name); on && it != self->state.hosts.end()) {
      // a restart: counters reset here, the value stays (an eclipsed host has no counters)
      self->send(it->second, start_atom_v);
      log::info("controller", "{} heartbeat restart", name);
    }
    auto done = name + (on ? " restarted" : " was not started");
    if (!restate)
      return done;
    return change_host(self, r, states::start, std::move(done));
  }
  r.monitored = on;
  return change_host(self, r, states::start, name + (on ? " started" : " stopped"));
}

caf::result<std::string> activate(self_ptr self, const std::string& name) {
  auto& c = self->state.setup.config;
  if (name != c.controller && name != c.peer_name())
    return refused(ec::bad_argument,
                   "\"" + name + "\": allowed " + c.controller + " or " + c.peer_name());
  caf::error err;
  auto s = next(self, err);
  if (!s)
    return err;
  auto delta = self->state.control->delta({});
  delta.designation = {name, *s};
  auto done = fmt::format("{} is active (epoch {}); {} is {}", name, s->epoch(), c.controller,
                          name == c.controller ? "active" : "inactive");
  auto& st = self->state;
  if (name == c.controller && st.link_up && !st.active) {
    // Hand-over: the peer steps down first, then this agent takes over, so the two are never
    // active at once. Unconfirmed (the link failed in between): nothing changes here.
    // The stamp is on disk before the peer sees it (see when_durable); a hand-over is not
    // begun without that, nor once this agent is stopping.
    auto rp = self->make_response_promise<std::string>();
    when_durable(self, [=](const std::string& werr) mutable {
      if (!werr.empty() || self->state.stopping) {
        rp.deliver(refused(werr.empty() ? ec::not_allowed : ec::not_persisted,
                           fmt::format("hand-over not begun: {}",
                                       werr.empty() ? "this agent is stopping" : werr)));
        return;
      }
      self->request(self->state.peer, handoff_timeout, handoff_atom_v, delta).then(
        [=](bool stepped_down) mutable {
          self->state.role_settled = true;
          if (!stepped_down)
            log::warn("controller", "{} took the hand-over but is still active",
                      c.peer_name());
          take_then(self, delta, done, rp);
        },
        [=](caf::error& e) mutable {
          rp.deliver(refused(ec::not_connected, fmt::format(
            "{} did not confirm the hand-over ({}): nothing changed here yet (if it took it, "
            "this agent becomes active when its state arrives); if the link is down, "
            "activate again takes effect at once", c.peer_name(), self->system().render(e))));
        });
    });
    return rp;
  }
  // Otherwise the operator's activate is authority enough: on a survivor it takes effect at
  // once, and stepping down needs nobody's leave.
  st.role_settled = true;
  if (!st.link_up && name == c.controller)
    log::warn("controller", "activated while the link to {} is down: if it is alive and "
              "active, both are active until the link heals (events carry epoch {})",
              c.peer_name(), s->epoch());
  return take(self, std::move(delta), std::move(done));
}

caf::result<std::string> set_action(self_ptr self, cfg::failure_action action) {
  if (static_cast<uint8_t>(action) > static_cast<uint8_t>(cfg::failure_action::none))
    return refused(ec::bad_argument, "failure action: allowed fail | degrade | alarm | none");
  auto old = self->state.control->action().value;
  caf::error err;
  auto s = next(self, err);
  if (!s)
    return err;
  auto delta = self->state.control->delta({});
  delta.action = {action, *s};
  if (action == old)
    return take(self, std::move(delta),
                std::string{"failure action already "} + cfg::to_string(action));
  return take(self, std::move(delta), fmt::format("failure action {} (was {})",
                                                  cfg::to_string(action), cfg::to_string(old)));
}

caf::result<std::string> set_tuning(self_ptr self, tuning t) {
  if (t == tuning{0, 0, 0, 0}) // states nothing: must not restate the peer's values away
    return refused(ec::bad_argument, "tune: give --period, --minor, --degrade or --loss");
  return reload(self, t, true, {}, false);
}

caf::result<std::string> reload(self_ptr self, tuning t, bool tune_changed,
                                cfg::failure_action action, bool action_changed) {
  auto& cs = *self->state.control;
  auto& now = cs.tune().value; // 0: keep the current value
  for (auto [mine, cur] : {std::pair{&t.period_ms, now.period_ms}, {&t.minor, now.minor},
                           {&t.degrade, now.degrade}, {&t.loss, now.loss}})
    if (*mine == 0)
      *mine = cur;
  if (tune_changed)
    if (auto p = cfg::check_tuning(t.period_ms, {t.minor, t.degrade, t.loss}); !p.empty())
      return refused(ec::bad_argument,
                     fmt::format("{} (the result, with the values in force for those not "
                                 "given: period {} ms, thresholds {}/{}/{})", p, t.period_ms,
                                 t.minor, t.degrade, t.loss));
  if (action_changed && static_cast<uint8_t>(action) > 3)
    return refused(ec::bad_argument, "failure action: allowed fail | degrade | alarm | none");
  if (!tune_changed && !action_changed)
    return std::string{"nothing changed"};
  caf::error err;
  auto s = next(self, err);
  if (!s)
    return err;
  auto delta = cs.delta({});
  std::vector<std::string> what;
  if (tune_changed) {
    auto& o = cs.tune().value;
    delta.tune = {t, *s};
    if (t == o)
      what.push_back(fmt::format("period {} ms, thresholds {}/{}/{} unchanged", t.period_ms,
                                 t.minor, t.degrade, t.loss));
    else
      what.push_back(fmt::format("period {} -> {} ms, thresholds {}/{}/{} -> {}/{}/{}",
                                 o.period_ms, t.period_ms, o.minor, o.degrade, o.loss, t.minor,
                                 t.degrade, t.loss));
  }
  if (action_changed) {
    delta.action = {action, *s};
    auto o = cs.action().value;
    what.push_back(o == action
                     ? fmt::format("failure action already {}", cfg::to_string(action))
                     : fmt::format("failure action {} -> {}", cfg::to_string(o),
                                   cfg::to_string(action)));
  }
  return take(self, std::move(delta), fmt::format("{}", fmt::join(what, "; ")));
}

caf::result<std::string> set_lock(self_ptr self, bool on) {
  auto& cs = *self->state.control;
  auto me = self->state.setup.config.controller;
  auto already = cs.locked(cs.number()) == on ? " already" : "";
  caf::error err;
  auto s = next(self, err);
  if (!s)
    return err;
  auto delta = cs.delta({});
  delta.locks[cs.number()] = {on, *s};
  return take(self, std::move(delta), me + already + (on ? " locked" : " unlocked"));
}

caf::result<std::string> period_command(self_ptr self, const std::string& what) {
  auto& st = self->state;
  if (what == "backoff" || what == "recover") {
    bool on = what == "backoff";
    set_backoff(self, on);
    self->send(st.peer, mnfa_atom_v, mnfa_report{st.active, false, on, true});
  } else if (what != "show") {
    return refused(ec::bad_argument, "\"" + what + "\": allowed show | backoff | recover");
  }
  auto base = st.control->tune().value.period_ms;
  return fmt::format("period {} ms ({}; configured {} ms)", base * (st.backed_off ? 4 : 1),
                     st.backed_off ? "backed off x4" : "not backed off", base);
}

} // namespace hbs
