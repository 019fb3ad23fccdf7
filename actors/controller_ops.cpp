// Every change of the control state, an operator's or the peer's, is merged, applied to the
// actors, persisted and (if it was taken here) sent to the peer, in one place.
#include <algorithm>

#include <fmt/format.h>

#include "actors/controller.hpp"
#include "actors/host.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = controller_ptr;

// What a snapshot may change, captured before the merge so effects compare old and new.
struct prior {
  std::map<std::string, std::optional<host_record>> hosts;
  cfg::failure_action action;
  tuning tune;
};

prior capture(const control_state& cs, const control_snapshot& s) {
  prior p{{}, cs.action().value, cs.tune().value};
  for (auto& h : s.hosts) {
    auto* r = cs.find(h.name);
    p.hosts[h.name] = r ? std::optional<host_record>{*r} : std::nullopt;
  }
  return p;
}

bool is_me(self_ptr self, const std::string& name) {
  return name == self->state.setup.config.controller;
}

bool on_network(self_ptr self, const host_record& h, uint8_t n) {
  if (!self->state.setup.config.network(n))
    return false;
  return n == cfg::management ? !h.management.empty() : !h.cluster_host.empty();
}

void count_started(self_ptr self) {
  auto& st = self->state;
  uint32_t n = 0;
  for (auto& [name, h] : st.control->hosts())
    n += st.control->holds(h) && h.monitored && !is_me(self, name);
  self->send(st.mnfa, monitored_atom_v, n);
}

void spawn_host(self_ptr self, const host_record& h) {
  auto& st = self->state;
  auto& c = st.setup.config;
  auto& t = st.control->tune().value;
  host_setup hs;
  hs.name = h.name;
  hs.type = h.type;
  hs.controller = c.controller;
  hs.active = st.active;
  hs.limits = {t.minor, t.degrade, t.loss};
  hs.networks = {on_network(self, h, cfg::management), on_network(self, h, cfg::cluster_host)};
  hs.clstr_degrade_only = c.clstr_degrade_only;
  hs.standard_system = c.standard_system;
  hs.events = st.events;
  hs.vault = st.vault;
  hs.alarms = st.alarms;
  hs.mnfa = c.under_mtc() ? mnfa_actor{} : st.mnfa; // MNFA is mtcAgent's there
  hs.states = caf::actor_cast<controller_actor>(self);
  hs.period_ms = t.period_ms;
  st.hosts[h.name] = self->spawn<caf::linked>(host_fn, std::move(hs));
  log::info("controller", "inventory add {} ({}) {} {}", h.name, cfg::to_string(h.type),
            h.management, h.cluster_host);
}

// Heartbeat on or off for one host: its actor, each network's attendance, the vault.
void monitor(self_ptr self, const host_record& h, bool on) {
  auto& st = self->state;
  if (is_me(self, h.name))
    return; // a controller never heartbeats itself (reference §1.3)
  auto& actor = st.hosts.at(h.name);
  if (on)
    self->send(actor, start_atom_v);
  else
    self->send(actor, stop_atom_v);
  for (auto& [n, net] : st.networks) {
    if (!on_network(self, h, n))
      continue;
    if (on)
      self->send(net, watch_atom_v, h.name,
                 n == cfg::management ? h.management : h.cluster_host, actor);
    else
      self->send(net, unwatch_atom_v, h.name);
  }
  if (on && h.name == st.setup.config.peer_name())
    self->send(st.vault, peer_atom_v); // the peer's view is now expected every period
  if (!on)
    self->send(st.vault, reason_atom_v, h.name + " deleted");
  log::info("controller", "{} heartbeat {}", h.name, on ? "start" : "stop");
}

void kill_host(self_ptr self, const host_record& h, bool was_monitored) {
  auto& st = self->state;
  if (was_monitored)
    monitor(self, h, false);
  if (st.control->action().value != cfg::failure_action::none)
    self->send(st.alarms, clear_atom_v, h.name); // only the active agent's table changes
  auto it = st.hosts.find(h.name);
  self->unlink_from(it->second);
  self->send_exit(it->second, caf::exit_reason::user_shutdown);
  st.hosts.erase(it);
  st.states.forget(h.name); // what the killed actor still has in flight is refused
  log::info("controller", "inventory del {}", h.name);
}

bool moved(const std::optional<host_record>& before, const host_record* after) {
  return before && after
         && (before->type != after->type || before->management != after->management
             || before->cluster_host != after->cluster_host);
}

// Gone or moved: its actor stops. Every change's stops come before any start, so a host
// given a freed address is never unwatched along with the one that left it.
void retire_host(self_ptr self, const std::optional<host_record>& before,
                 const host_record* after) {
  if (before && (!after || moved(before, after)))
    kill_host(self, *before, before->monitored);
}

// New or moved (after retire_host): its actor starts; otherwise a start or stop applies.
void apply_host(self_ptr self, const std::optional<host_record>& before,
                const host_record* after) {
  if (after && (!before || moved(before, after))) {
    spawn_host(self, *after);
    if (after->monitored)
      monitor(self, *after, true);
  } else if (after && before->monitored != after->monitored) {
    monitor(self, *after, after->monitored);
  }
}

void apply_action(self_ptr self, cfg::failure_action old) {
  auto& st = self->state;
  auto now = st.control->action().value;
  auto text = fmt::format("'heartbeat failure action' changed from {} to {}",
                          cfg::to_string(old), cfg::to_string(now));
  log::info("controller", "{}", text);
  if (st.active) { // customer logs are the active agent's (reference §1.2)
    event e{"customer_log", st.setup.config.controller, "", "", 0, "200.021: " + text};
    e.mono_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  self->clock().now().time_since_epoch()).count();
    self->send(st.events, std::move(e));
    self->send(st.alarms, clear_atom_v); // bulk clear on a change (§6.1)
  }
  for (auto& [n, h] : st.hosts)
    self->send(h, reset_atom_v); // per-host statistics cleared (§6.1)
  self->send(st.mnfa, action_atom_v, now);
  apply_lock(self);
}

void apply_tune(self_ptr self, const tuning& old) {
  auto& st = self->state;
  auto& t = st.control->tune().value;
  if (t.period_ms != old.period_ms) {
    auto now = t.period_ms * (st.backed_off ? 4 : 1);
    for (auto& [n, net] : st.networks)
      self->send(net, period_atom_v, now);
    self->send(st.vault, period_atom_v, t.period_ms); // the history is kept (a StarlingX bug)
    self->send(st.mnfa, period_atom_v, now);
  }
  if (t.minor != old.minor || t.degrade != old.degrade || t.loss != old.loss)
    for (auto& [n, h] : st.hosts)
      self->send(h, reload_atom_v, t.minor, t.degrade, t.loss);
  log::info("controller", "period {} -> {} ms, thresholds {}/{}/{} -> {}/{}/{}", old.period_ms,
            t.period_ms, old.minor, old.degrade, old.loss, t.minor, t.degrade, t.loss);
}

void apply_change(self_ptr self, const control_change& ch, const prior& p) {
  auto& st = self->state;
  auto before = [&](const std::string& name) -> std::optional<host_record> {
    if (p.hosts.count(name))
      return p.hosts.at(name);
    for (auto& c : ch.settled) // eclipsed by the merge though the snapshot did not name it
      if (c.was.name == name)
        return c.was;
    return std::nullopt;
  };
  for (auto& name : ch.hosts)
    retire_host(self, before(name), st.control->find(name));
  for (auto& name : ch.hosts)
    apply_host(self, before(name), st.control->find(name));
  if (!ch.hosts.empty())
    count_started(self);
  if (ch.action)
    apply_action(self, p.action);
  if (ch.tune)
    apply_tune(self, p.tune);
  if (ch.own_lock)
    apply_lock(self);
  auto& d = st.control->designation();
  bool restamped = d.at.epoch() != st.epoch; // a newer stamp on the same name counts too
  if (restamped) {
    st.epoch = d.at.epoch();
    self->send(st.events, epoch_atom_v, st.epoch);
  }
  if (ch.designation)
    log::info("controller", "designation: {} is active (epoch {})", d.value, d.at.epoch());
  // Also on a new stamp alone: an activate of the agent already named settles its role
  // (found twice by starlingx mode: during the hold-off, and through a hand-over).
  if (ch.designation || restamped)
    evaluate_role(self);
}

void set_role(self_ptr self, bool active) {
  auto& st = self->state;
  st.active = active;
  log::info("controller", "{} is {}", st.setup.config.controller, active ? "active" : "inactive");
  // Stamped now, not when the events actor writes it: a hand-over's step-down is recorded
  // before the peer's take-over (the nemesis checks the two never overlap).
  event e{active ? "role_active" : "role_inactive", st.setup.config.controller, "", "", 0,
          fmt::format("designation {} (epoch {})", st.control->designation().value,
                      st.control->designation().at.epoch())};
  e.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch()).count();
  self->send(st.events, std::move(e));
  // No bulk clear: the new active agent adopts the standing alarms; each host asserts what
  // still holds and clears what no longer does (no clear/raise churn on a swact).
  self->send(st.alarms, role_atom_v, active);
  self->send(st.mnfa, role_atom_v, active);
  for (auto& [n, h] : st.hosts)
    self->send(h, role_atom_v, active);
  dump_state(self, active ? "became active" : "became inactive", nullptr); // (§1.2)
}

} // namespace

namespace {

// when_durable's callers this write covers: "" when it landed, its error when it failed (a
// broken disk must not part the agents; the store tries again).
void release_durable_waiters(self_ptr self, uint64_t clock, const std::string& err) {
  auto& waiters = self->state.durable_waiters;
  auto due = std::stable_partition(waiters.begin(), waiters.end(),
                                   [clock](auto& w) { return w.first <= clock; });
  std::vector<std::function<void(const std::string&)>> run;
  for (auto it = waiters.begin(); it != due; ++it)
    run.push_back(std::move(it->second));
  waiters.erase(waiters.begin(), due);
  for (auto& f : run)
    f(err);
}

// One write at a time, of the whole state as it is when the write starts; changes made
// meanwhile, and their callers, wait for the next one. A push of thousands of hosts costs a
// few writes instead of one each (each serialises every host: 36 ms at 5,000,
// build/control-merge).
void write_state(self_ptr self) {
  auto& st = self->state;
  st.write_again = false;
  auto waiting = std::move(st.awaiting);
  st.awaiting.clear();
  auto text = st.control->to_json();
  auto clock = st.control->generation();
  auto finish = [self, waiting, clock](const std::string& err) {
    auto& st = self->state;
    st.writing = false; // first: a callback may persist again
    for (auto& f : waiting)
      f(err);
    release_durable_waiters(self, clock, err);
    if (st.write_again && !st.writing)
      write_state(self);
  };
  if (text == st.persisted) {
    st.durable_generation = std::max(st.durable_generation, clock);
    return finish({});
  }
  st.writing = true;
  st.writing_generation = clock;
  auto fail = [self, finish](const std::string& err) {
    // Kept in memory; tried again until the disk takes it (the store logs and counts).
    if (!self->state.retry_scheduled) {
      self->state.retry_scheduled = true;
      self->delayed_send(self, std::chrono::seconds{1}, store_atom_v);
    }
    finish(err);
  };
  self->request(st.store, store_timeout, store_atom_v, text).then(
    [self, text, clock, finish, fail](std::string& err) {
      if (!err.empty())
        return fail(err);
      self->state.persisted = text;
      self->state.durable_generation = std::max(self->state.durable_generation, clock);
      finish({});
    },
    [self, fail](caf::error& e) { fail(self->system().render(e)); });
}

} // namespace

void persist(self_ptr self, std::function<void(const std::string&)> done) {
  auto& st = self->state;
  if (done)
    st.awaiting.push_back(std::move(done));
  if (st.writing)
    st.write_again = true;
  else
    write_state(self);
}

void apply_all(self_ptr self) {
  for (auto& [name, h] : self->state.control->hosts())
    if (self->state.control->holds(h))
      apply_host(self, std::nullopt, &h);
  count_started(self);
  apply_lock(self);
}

void evaluate_role(self_ptr self) {
  auto& st = self->state;
  bool want = st.role_settled && st.control->designation().value == st.setup.config.controller;
  if (want != st.active)
    set_role(self, want);
}

void apply_lock(self_ptr self) {
  auto& st = self->state;
  bool locked = st.file_locked || st.control->locked(st.control->number());
  bool silent = locked || st.control->action().value == cfg::failure_action::none;
  for (auto& [n, net] : st.networks) // "none" stops heartbeating altogether
    self->send(net, lock_atom_v, silent);
  if (locked == st.locked)
    return;
  st.locked = locked;
  log::info("controller", "{} {}", st.setup.config.controller,
            locked ? "locked: heartbeat stopped, own histories zeroed"
                   : "unlocked: heartbeat resumes");
  self->send(st.vault, lock_atom_v, locked);
}

void set_backoff(self_ptr self, bool on) {
  auto& st = self->state;
  if (on == st.backed_off)
    return;
  st.backed_off = on;
  auto period = st.control->tune().value.period_ms * (on ? 4 : 1);
  log::info("controller", "period {} ms ({})", period, on ? "MNFA back-off" : "restored");
  for (auto& [n, net] : st.networks)
    self->send(net, period_atom_v, period);
  self->send(st.mnfa, period_atom_v, period);
}

caf::result<std::string> take(self_ptr self, control_snapshot delta, std::string done) {
  auto rp = self->make_response_promise<std::string>();
  take_then(self, std::move(delta), std::move(done), rp);
  return rp;
}

uint64_t wall_now(self_ptr self) {
  auto& f = self->state.setup.wall_ms;
  return static_cast<uint64_t>(std::max<int64_t>(f ? f() : wire::wall_ms(), 0));
}

void take_then(self_ptr self, control_snapshot delta, std::string done,
               caf::typed_response_promise<std::string> rp) {
  auto& st = self->state;
  auto p = capture(*st.control, delta);
  std::string err;
  std::vector<std::string> notes;
  auto ch = st.control->merge(delta, err, notes, wall_now(self));
  if (!ch)
    return (void)rp.deliver(caf::make_error(ec::bad_argument, err));
  for (auto& c : ch->settled) // an address this command freed went back to an older host's
    log::warn("controller", "{}", c.why);
  apply_change(self, *ch, p);
  // The answer waits for the disk: "done" means it survives a restart. The peer gets the
  // change from the same write (share joins it).
  persist(self, [=](const std::string& werr) mutable {
    if (werr.empty())
      rp.deliver(done);
    else
      rp.deliver(caf::make_error(ec::not_persisted, done + "; " + werr));
  });
  share(self, std::move(delta));
}

void when_durable(self_ptr self, std::function<void(const std::string&)> fn) {
  auto& st = self->state;
  if (st.last_stamp <= st.durable_generation)
    return fn({}); // no stamp of this agent's since the last write: no wait
  st.durable_waiters.emplace_back(st.last_stamp, std::move(fn));
  if (!st.writing || st.writing_generation < st.last_stamp) // else the write on its way will do
    persist(self, nullptr);
}

void share(self_ptr self, control_snapshot s) {
  when_durable(self, [self, s = std::move(s)](const std::string&) mutable {
    self->send(self->state.peer, sync_atom_v, std::move(s));
  });
}

void from_peer(self_ptr self, const control_snapshot& s) {
  auto& st = self->state;
  auto peer = st.setup.config.peer_name();
  ++st.num_syncs;
  auto p = capture(*st.control, s);
  std::string err;
  std::vector<std::string> notes;
  auto ch = st.control->merge(s, err, notes, wall_now(self), true);
  for (auto& n : notes)
    log::error("controller", "from {}: {}: is a clock corrupted?", peer, n);
  if (ch)
    for (auto& c : ch->settled) // two operators gave one address away across a cut
      log::error("controller", "from {}: {} (both agents settle it alike)", peer, c.why);
  if (!ch) {
    if (++st.num_refused == 1 || st.num_refused % 100 == 0)
      log::error("controller", "refused {}'s control state ({} refused): {}", peer,
                 st.num_refused, err);
    return;
  }
  apply_change(self, *ch, p); // also when only stamps moved: events learn the epoch
  if (!ch->empty())
    log::info("controller", "from {}: {} host(s) changed{}{}{}{}", peer, ch->hosts.size(),
              ch->designation ? ", designation" : "", ch->action ? ", failure action" : "",
              ch->tune ? ", tuning" : "", ch->own_lock ? ", this controller's lock" : "");
  // Newer stamps and the clock are persisted too, even on equal values: a restarted agent
  // must not stamp its next change below what it had already seen.
  persist(self, nullptr);
  if (!st.role_settled && !st.setup.config.under_mtc()) { // there: ACTIVE_CTRL alone
    st.role_settled = true;
    log::info("controller", "{}'s state seen: the designation names {} (epoch {})", peer,
              st.control->designation().value, st.control->designation().at.epoch());
  }
  evaluate_role(self);
}

} // namespace hbs
