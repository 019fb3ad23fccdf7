#include "actors/mnfa.hpp"

#include <fmt/format.h>

#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = mnfa_actor::stateful_pointer<mnfa_state>;
using namespace std::chrono_literals;
constexpr caf::timespan restore_delay = 3s; // period restored 3 s after an exit (§6.2)

const char* net_key(uint8_t n) {
  return n == 0 ? "management" : "cluster-host";
}

bool deciding(self_ptr self) {
  return self->state.setup.active;
}

bool acts_on_losses(cfg::failure_action a) {
  return a == cfg::failure_action::fail || a == cfg::failure_action::degrade;
}

// The inactive agent's MNFA events say what it follows; they are marked not acted.
void emit(self_ptr self, const std::string& kind, const std::string& host, uint8_t net,
          const std::string& detail) {
  event e{kind, self->state.setup.controller, host, net < 2 ? net_key(net) : "", 0, detail};
  e.mono_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                self->clock().now().time_since_epoch()).count();
  e.acted = deciding(self);
  self->send(self->state.setup.events, std::move(e));
}

std::string pool_text(self_ptr self) {
  return fmt::format("{}", fmt::join(self->state.logic->pool(), " "));
}

// What the other agent needs to follow this one (sent on every change and on link-up).
void tell(self_ptr self) {
  auto& st = self->state;
  self->send(st.setup.parent, mnfa_atom_v,
             mnfa_report{deciding(self), st.phase == mnfa_phase::active, st.backed_off, false});
}

void backoff(self_ptr self, bool on) {
  auto& st = self->state;
  if (on == st.backed_off)
    return;
  st.backed_off = on;
  self->send(st.setup.parent, mnfa_atom_v, on);
}

void start_recovery(self_ptr self) {
  auto& st = self->state;
  st.phase = mnfa_phase::recovering;
  self->delayed_send(self, restore_delay, recover_atom_v, ++st.episode);
}

void arm_timeout(self_ptr self) {
  auto& st = self->state;
  if (st.setup.config.timeout_s == 0)
    return;
  auto t = std::chrono::seconds{st.setup.config.timeout_s};
  st.deadline = st.entered + t;
  self->delayed_send(self, t, timeout_atom_v, st.episode);
}

// The inactive agent's episode: the active agent's while its reports arrive, or the one its
// own tally says (its decision may ride the very network that failed); an episode of its own
// ends when that tally clears or times out. Backing off never fails a host, so either reason
// is enough; the period is restored when neither holds.
void follow(self_ptr self) {
  auto& st = self->state;
  if (deciding(self))
    return;
  bool mirror = st.link_up && st.peer_deciding;
  if (!st.logic->active())
    st.own_timed_out = false;
  bool theirs = mirror && st.peer.episode;
  bool mine = st.logic->active() && !st.own_timed_out;
  bool want = theirs || mine;
  const char* whose = theirs ? "following the active agent" : "own tally";
  if (want && !st.following) {
    st.following = true;
    st.phase = mnfa_phase::active;
    st.entered = self->clock().now();
    ++st.episode;
    // The active agent's log lines, with the inactive agent's reason (issue 14 §3).
    uint8_t n = st.logic->tally(1) > st.logic->tally(0) ? 1 : 0;
    log::warn("mnfa", "MNFA ENTER: {} tally {} >= {}; MNFA POOL: {} (inactive: {})", net_key(n),
              st.logic->tally(n), st.logic->threshold(st.monitored), pool_text(self), whose);
    emit(self, "mnfa_enter", "", 0xFF,
         fmt::format("{} follows multi-node failure avoidance ({})", st.setup.controller, whose));
    if (!theirs)
      arm_timeout(self);
  } else if (!want && st.following) {
    st.following = false;
    log::warn("mnfa", "MNFA EXIT: {} (inactive: {})",
              st.own_timed_out ? "timeout" : "tally below the threshold",
              mirror ? "the active agent's episode ended" : "own tally");
    emit(self, "mnfa_exit", "", 0xFF, fmt::format("{} follows the end of multi-node failure "
                                                  "avoidance", st.setup.controller));
    if (mirror)
      st.phase = mnfa_phase::idle;
    else
      start_recovery(self); // period restored after the same delay as on the active agent
  }
  if (st.following)
    backoff(self, true);
  else if (mirror) // the active agent restores its period 3 s after its exit: so does this one
    backoff(self, st.peer.backed_off);
}

void verdict(self_ptr self, const std::string& host, uint8_t net) {
  auto& st = self->state;
  if (!acts_on_losses(st.setup.action) || !st.failed.insert(host).second)
    return; // already failed on its other network, or before a restart or swact
  bool fail = st.setup.action == cfg::failure_action::fail;
  emit(self, fail ? "failed" : "degraded", host, net,
       fmt::format("heartbeat loss (failure action {})", cfg::to_string(st.setup.action)));
  if (st.setup.alarms)
    self->send(st.setup.alarms, verdict_atom_v, host, std::string{fail ? "failed" : "degraded"});
}

void execute(self_ptr self, const mnfa_decision& d) {
  auto& st = self->state;
  if (d.step == mnfa_step::none)
    return;
  if (!deciding(self))
    return follow(self);
  auto pool = fmt::format("{}", fmt::join(d.hosts, " "));
  switch (d.step) {
    case mnfa_step::enter:
      ++st.episode;
      st.phase = mnfa_phase::active;
      st.entered = self->clock().now();
      emit(self, "mnfa_enter", "", d.network,
           fmt::format("200.020: {} has 'entered' multi-node failure avoidance: {} tally {} >= "
                       "threshold {}; pool: {}", st.setup.controller, net_key(d.network),
                       d.tally, d.threshold, pool));
      log::warn("mnfa", "MNFA ENTER: {} tally {} >= {}; MNFA POOL: {}", net_key(d.network),
                d.tally, d.threshold, pool);
      backoff(self, true);
      arm_timeout(self);
      break;
    case mnfa_step::left_pool:
      emit(self, "graceful_recovery", d.hosts.front(), d.network,
           "answered again during MNFA: leaves the pool");
      break;
    case mnfa_step::exit_graceful:
    case mnfa_step::exit_forced: {
      bool forced = d.step == mnfa_step::exit_forced;
      emit(self, "mnfa_exit", "", d.network,
           forced ? fmt::format("200.020: {} has 'exited' multi-node failure avoidance: {} s "
                                "timeout, forcing full recovery of: {}", st.setup.controller,
                                st.setup.config.timeout_s, fmt::join(d.still_missing, " "))
                  : fmt::format("200.020: {} has 'exited' multi-node failure avoidance: {} tally "
                                "{} < threshold {}", st.setup.controller, net_key(d.network),
                                d.tally, d.threshold));
      log::warn("mnfa", "MNFA EXIT: {}", forced ? "timeout" : "tally below the threshold");
      for (auto& h : forced ? d.still_missing : d.hosts)
        emit(self, forced ? "full_recovery" : "graceful_recovery", h, 0,
             forced ? "MNFA timeout: still missing" : "MNFA exit");
      // A loss MNFA suppressed must not be forgotten: a host still silent two periods after
      // the exit is reported again (and now failed). Answers already under way win.
      if (!forced && !d.still_lost.empty())
        self->delayed_send(self, std::chrono::milliseconds{2 * st.setup.period_ms}, loss_atom_v,
                           d.still_lost);
      start_recovery(self);
      break;
    }
    case mnfa_step::cancel:
      ++st.episode;
      st.phase = mnfa_phase::idle;
      emit(self, "mnfa_cancel", "", 0,
           fmt::format("failure action is now {}: MNFA cancelled, pool released: {}",
                       cfg::to_string(st.setup.action), pool));
      backoff(self, false);
      break;
    case mnfa_step::none:
      break;
  }
  tell(self);
}

void on_loss(self_ptr self, const std::string& host, uint8_t net) {
  auto& st = self->state;
  st.lost.insert(host);
  if (!acts_on_losses(st.setup.action))
    return;
  execute(self, st.logic->add(host, net, st.monitored));
  if (!deciding(self)) { // a newly active agent applies it (take_role)
    if (st.following)
      log::info("mnfa", "{} lost during MNFA: not failed (inactive: not acted on)", host);
    return;
  }
  if (st.logic->note_loss(host)) {
    log::info("mnfa", "{} lost during MNFA: not failed", host);
    return;
  }
  verdict(self, host, net);
}

// This agent became active: an episode it followed becomes its own, and hosts it already
// sees lost get their verdict now (once: the alarm table says which have one).
void take_role(self_ptr self) {
  auto& st = self->state;
  bool in_episode = st.following || st.logic->active();
  st.following = false;
  st.own_timed_out = false;
  if (in_episode) {
    st.logic->adopt(); // its own tally is the pool; the period is already backed off
    st.phase = mnfa_phase::active;
    st.entered = self->clock().now();
    ++st.episode;
    arm_timeout(self);
    backoff(self, true);
    log::warn("mnfa", "taking over MNFA from the previous active agent; pool: {}",
              pool_text(self));
  } else if (st.backed_off) {
    start_recovery(self); // following a recovery: this agent restores the period now
  }
  for (auto& h : std::set<std::string>{st.lost})
    if (!st.logic->pooled(h))
      verdict(self, h, 0);
}

mnfa_view view(self_ptr self) {
  auto& st = self->state;
  auto& l = *st.logic;
  mnfa_view v;
  bool theirs = st.link_up && st.peer_deciding && st.peer.episode;
  v.state = st.following ? (theirs ? "active (following the active agent)"
                                   : "active (own tally)")
            : st.phase == mnfa_phase::active     ? "active"
            : st.phase == mnfa_phase::recovering ? "recovering"
                                                 : "idle";
  v.action = cfg::to_string(st.setup.action);
  v.deciding = deciding(self);
  v.threshold = l.threshold(st.monitored);
  v.threshold_percent = l.config().threshold_percent;
  v.tally = {static_cast<uint32_t>(l.tally(0)), static_cast<uint32_t>(l.tally(1))};
  v.pool.assign(l.pool().begin(), l.pool().end());
  auto now = self->clock().now();
  auto ms = [](caf::timespan t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t).count();
  };
  if (st.phase == mnfa_phase::active) {
    v.active_for_ms = ms(now - st.entered);
    if (l.config().timeout_s != 0)
      v.timeout_left_ms = ms(st.deadline - now);
  }
  v.occurrences = l.occurrences();
  v.period_ms = st.setup.period_ms;
  return v;
}

void forget(self_ptr self, const std::string& host) {
  auto& st = self->state;
  st.logic->forget(host);
  st.hosts.erase(host);
  st.lost.erase(host);
  if (st.failed.erase(host) && st.setup.alarms)
    self->send(st.setup.alarms, verdict_atom_v, host);
}

} // namespace

mnfa_actor::behavior_type mnfa_fn(self_ptr self, mnfa_setup s) {
  auto& st = self->state;
  st.setup = std::move(s);
  st.logic.emplace(st.setup.config);
  st.failed.insert(st.setup.failed.begin(), st.setup.failed.end());
  return {
    [=](tally_atom, const std::string& host, uint8_t net, bool in) {
      auto& st = self->state;
      if (!in) { // answering again: a later loss is a new failure
        st.lost.erase(host);
        if (st.failed.erase(host) && st.setup.alarms)
          self->send(st.setup.alarms, verdict_atom_v, host);
      }
      if (in && !acts_on_losses(st.setup.action))
        return; // adding to the tally is a no-op for these actions (§6.2)
      execute(self, in ? st.logic->add(host, net, st.monitored)
                       : st.logic->remove(host, net, st.monitored));
      if (!deciding(self))
        follow(self); // its own tally may end an episode it follows
    },
    [=](loss_atom, const std::string& host, uint8_t net) {
      self->state.hosts[host] = self->current_sender();
      on_loss(self, host, net);
    },
    [=](loss_atom, const std::vector<std::string>& hosts) {
      for (auto& h : hosts)
        if (auto it = self->state.hosts.find(h); it != self->state.hosts.end() && it->second)
          self->send(caf::actor_cast<host_actor>(it->second), loss_atom_v);
    },
    [=](forget_atom, const std::string& host) { forget(self, host); },
    [=](monitored_atom, uint32_t n) { self->state.monitored = n; },
    [=](role_atom, bool active) {
      auto& st = self->state;
      if (active == st.setup.active)
        return;
      st.setup.active = active;
      if (active) {
        take_role(self);
      } else { // demoted: until the new active agent is heard, its own tally rules
        st.following = st.phase == mnfa_phase::active;
        follow(self);
      }
      tell(self);
    },
    [=](link_atom, bool up) {
      auto& st = self->state;
      st.link_up = up;
      if (up)
        tell(self);
      follow(self);
    },
    [=](action_atom, cfg::failure_action action) {
      auto& st = self->state;
      st.setup.action = action;
      st.failed.clear(); // a new action starts afresh (the alarm table is cleared too)
      if (!acts_on_losses(action))
        execute(self, st.logic->cancel());
    },
    [=](mnfa_atom, mnfa_report r) {
      auto& st = self->state;
      st.peer = r;
      st.peer_deciding = r.deciding;
      if (deciding(self) && r.deciding)
        log::error("mnfa", "both agents decide MNFA: the designations disagree");
      follow(self);
    },
    [=](verdict_atom, std::vector<std::string>& hosts) {
      self->state.failed = std::set<std::string>(hosts.begin(), hosts.end());
    },
    [=](timeout_atom, uint64_t episode) {
      auto& st = self->state;
      if (episode != st.episode || st.phase != mnfa_phase::active)
        return;
      if (deciding(self))
        return execute(self, st.logic->timeout());
      st.own_timed_out = true;
      follow(self);
    },
    [=](recover_atom, uint64_t episode) {
      auto& st = self->state;
      if (episode != st.episode || st.phase != mnfa_phase::recovering)
        return; // MNFA was entered again meanwhile (nesting): stay backed off
      st.phase = mnfa_phase::idle;
      backoff(self, false);
      tell(self);
    },
    [=](period_atom, uint32_t ms) { self->state.setup.period_ms = ms; },
    [=](mnfa_atom) { return view(self); },
  };
}

} // namespace hbs
