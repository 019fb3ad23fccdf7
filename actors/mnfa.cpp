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

void emit(self_ptr self, const std::string& kind, const std::string& host, uint8_t net,
          const std::string& detail) {
  event e{kind, self->state.setup.controller, host, net < 2 ? net_key(net) : "", 0, detail};
  e.mono_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                self->clock().now().time_since_epoch()).count();
  self->send(self->state.setup.events, std::move(e));
}

bool deciding(self_ptr self) {
  return self->state.setup.active;
}

void backoff(self_ptr self, bool on) {
  self->send(self->state.setup.parent, backoff_atom_v, on);
}

void start_recovery(self_ptr self) {
  auto& st = self->state;
  st.phase = mnfa_phase::recovering;
  self->delayed_send(self, restore_delay, recover_atom_v, ++st.episode);
}

void execute(self_ptr self, const mnfa_decision& d) {
  auto& st = self->state;
  if (d.step == mnfa_step::none || !deciding(self))
    return;
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
      if (st.setup.config.timeout_s != 0) {
        st.deadline = st.entered + std::chrono::seconds{st.setup.config.timeout_s};
        self->delayed_send(self, std::chrono::seconds{st.setup.config.timeout_s}, timeout_atom_v,
                           st.episode);
      }
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
                       st.setup.action, pool));
      backoff(self, false);
      break;
    case mnfa_step::none:
      break;
  }
}

void on_loss(self_ptr self, const std::string& host, uint8_t net) {
  auto& st = self->state;
  auto& action = st.setup.action;
  if (action == "alarm" || action == "none")
    return;
  execute(self, st.logic->add(host, net, st.monitored));
  if (!deciding(self))
    return;
  if (st.logic->note_loss(host)) {
    log::info("mnfa", "{} lost during MNFA: not failed", host);
    return;
  }
  if (!st.failed.insert(host).second)
    return; // already failed on its other network
  if (action == "fail")
    emit(self, "failed", host, net, "heartbeat loss (failure action fail)");
  else
    emit(self, "degraded", host, net, "heartbeat loss (failure action degrade)");
}

mnfa_view view(self_ptr self) {
  auto& st = self->state;
  auto& l = *st.logic;
  mnfa_view v;
  v.state = st.phase == mnfa_phase::active ? "active"
            : st.phase == mnfa_phase::recovering ? "recovering"
            : (st.followed || l.active()) ? "active (following the active agent)" : "idle";
  v.action = st.setup.action;
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

} // namespace

mnfa_actor::behavior_type mnfa_fn(self_ptr self, mnfa_setup s) {
  self->state.setup = std::move(s);
  self->state.logic.emplace(self->state.setup.config);
  return {
    [=](tally_atom, const std::string& host, uint8_t net, bool in) {
      auto& st = self->state;
      if (!in)
        st.failed.erase(host); // answering again: a later loss is a new failure
      if (in && (st.setup.action == "alarm" || st.setup.action == "none"))
        return; // adding to the tally is a no-op for these actions (§6.2)
      execute(self, in ? st.logic->add(host, net, st.monitored)
                       : st.logic->remove(host, net, st.monitored));
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
    [=](forget_atom, const std::string& host) {
      self->state.logic->forget(host);
      self->state.failed.erase(host);
      self->state.hosts.erase(host);
    },
    [=](monitored_atom, uint32_t n) { self->state.monitored = n; },
    [=](role_atom, bool active) {
      auto& st = self->state;
      bool was = st.setup.active;
      st.setup.active = active;
      if (active && !was && (st.followed || st.logic->active())
          && st.phase == mnfa_phase::idle) {
        // Take over the episode the other agent started (a swact during MNFA): its own
        // tally is this agent's pool; the period is already backed off on both.
        st.phase = mnfa_phase::active;
        st.entered = self->clock().now();
        ++st.episode;
        if (st.setup.config.timeout_s != 0) {
          st.deadline = st.entered + std::chrono::seconds{st.setup.config.timeout_s};
          self->delayed_send(self, std::chrono::seconds{st.setup.config.timeout_s},
                             timeout_atom_v, st.episode);
        }
        log::warn("mnfa", "taking over MNFA from the previous active agent; pool: {}",
                  fmt::join(st.logic->pool(), " "));
      }
    },
    [=](action_atom, const std::string& action) {
      auto& st = self->state;
      st.setup.action = action;
      if (action == "alarm" || action == "none")
        execute(self, st.logic->cancel());
    },
    [=](mnfa_atom, const std::string& step) {
      auto& st = self->state;
      if (deciding(self))
        return;
      st.followed = step == "enter";
      if (st.followed)
        st.logic->adopt(); // losses are not failures here either
      else
        st.logic->cancel(); // the active agent's exit ends this agent's episode too
    },
    [=](timeout_atom, uint64_t episode) {
      auto& st = self->state;
      if (episode == st.episode && st.phase == mnfa_phase::active)
        execute(self, st.logic->timeout());
    },
    [=](recover_atom, uint64_t episode) {
      auto& st = self->state;
      if (episode != st.episode || st.phase != mnfa_phase::recovering)
        return; // MNFA was entered again meanwhile (nesting): stay backed off
      st.phase = mnfa_phase::idle;
      backoff(self, false);
    },
    [=](period_atom, uint32_t ms) { self->state.setup.period_ms = ms; },
    [=](mnfa_atom) { return view(self); },
  };
}

} // namespace hbs
