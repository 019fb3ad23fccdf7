#include "actors/alarms.hpp"

#include "actors/store.hpp"
#include "runtime/atomic_file.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = alarms_actor::stateful_pointer<alarms_state>;

int64_t wall_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

constexpr auto write_delay = std::chrono::milliseconds{100};

std::string write_now(alarms_state& st) {
  std::string err;
  ++st.num_writes;
  st.dirty = false;
  if (!st.setup.path.empty())
    write_atomically(st.setup.path, st.table.to_json(), err);
  return err;
}


// Writes (and copies to the other agent) at most once per 100 ms: an alarm storm over
// thousands of hosts is one write, not one fsync of the whole table per alarm.
void persist(self_ptr self) {
  auto& st = self->state;
  st.dirty = true;
  if (st.flush_scheduled)
    return;
  st.flush_scheduled = true;
  self->delayed_send(self, write_delay, flush_atom_v);
}

void flush(self_ptr self) {
  auto& st = self->state;
  st.flush_scheduled = false;
  if (!st.dirty)
    return;
  note_write(st.health, st.failing_since, self->clock().now(), write_now(st));
  if (st.setup.active && st.setup.parent)
    self->send(st.setup.parent, table_atom_v, st.table.to_json());
}

alarm_view view_of(const alarm& a) {
  return {a.id, a.host, to_string(a.level), a.entity, a.reason, a.raised_ms};
}

void emit(self_ptr self, const char* kind, const alarm& a) {
  event e{kind, self->state.setup.controller, a.host, "", 0,
          a.id + " " + to_string(a.level) + ": " + a.reason};
  if (auto& m = self->state.setup.mtc) {
    if (std::string_view{kind} == "alarm_raise")
      self->send(m, raise_atom_v, view_of(a));
    else
      self->send(m, clear_atom_v, view_of(a));
  }
  e.mono_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                self->clock().now().time_since_epoch()).count();
  self->send(self->state.setup.events, std::move(e));
}

void cleared(self_ptr self, const std::vector<alarm>& gone) {
  for (auto& a : gone)
    emit(self, "alarm_clear", a);
  if (!gone.empty())
    persist(self);
}

bool acting(self_ptr self, const char* what, const std::string& id, const std::string& host) {
  if (self->state.setup.active)
    return true;
  log::info("alarms", "inactive: the active agent would {} {} for {}", what, id, host);
  return false;
}

} // namespace

alarms_state::~alarms_state() {
  if (dirty)
    if (auto err = write_now(*this); !err.empty())
      log::error("alarms", "alarm table not persisted on the way out: {}", err);
}

alarms_actor::behavior_type alarms_fn(self_ptr self, alarms_setup s) {
  auto& st = self->state;
  st.setup = std::move(s);
  st.health.file = st.setup.path.empty() ? "alarms.json" : st.setup.path;
  std::string err;
  if (!st.setup.loaded_json.empty() && !st.table.from_json(st.setup.loaded_json, err))
    log::error("alarms", "ignored the persisted alarm table {}: {}", st.setup.path, err);
  else if (st.table.size() > 0 || !st.table.verdicts().empty())
    log::info("alarms", "{} alarm(s) and {} verdict(s) reloaded from {}", st.table.size(),
              st.table.verdicts().size(), st.setup.path);
  return {
    [=](raise_atom, const std::string& id, const std::string& host, uint8_t level) {
      if (!acting(self, "raise", id, host))
        return;
      auto sev = level >= 2 ? severity::critical : severity::major;
      auto& t = self->state.table;
      if (t.raise(id, host, sev, wall_ms()) == alarm_change::none)
        return;
      emit(self, "alarm_raise", *t.find(id, host));
      persist(self);
    },
    [=](clear_atom, const std::string& id, const std::string& host) {
      auto* a = self->state.table.find(id, host);
      if (!a || !acting(self, "clear", id, host))
        return;
      auto copy = *a;
      self->state.table.clear(id, host);
      cleared(self, {copy});
    },
    [=](clear_atom, const std::string& host) {
      auto& t = self->state.table;
      if (!self->state.setup.active)
        return;
      bool verdict = t.verdicts().count(host) != 0;
      cleared(self, t.clear_host(host));
      if (verdict)
        persist(self);
    },
    [=](clear_atom) {
      if (!self->state.setup.active)
        return;
      bool verdicts = !self->state.table.verdicts().empty();
      cleared(self, self->state.table.clear_all());
      if (verdicts)
        persist(self);
    },
    [=](verdict_atom, const std::string& host, const std::string& kind) {
      if (acting(self, "record the verdict", kind, host)
          && self->state.table.set_verdict(host, kind))
        persist(self);
    },
    [=](verdict_atom, const std::string& host) {
      if (self->state.setup.active && self->state.table.clear_verdict(host))
        persist(self);
    },
    [=](table_atom) { return self->state.table.to_json(); },
    [=](health_atom) {
      return health_now(self->state.health, self->state.failing_since, self->clock().now());
    },
    [=](role_atom, bool active) {
      auto& st = self->state;
      st.setup.active = active;
      if (!active)
        return;
      // The peer, active before, may have alarmed this controller as one of its hosts; an
      // agent never heartbeats itself, so nothing here would ever clear that (nemesis seed
      // 1205045: 200.005 on controller-0 held by controller-0 after a swact).
      if (auto own = st.table.clear_host(st.setup.controller); !own.empty())
        cleared(self, own);
      persist(self); // and hand the table to the other agent (it may have restarted)
    },
    [=](table_atom, const std::string& json) {
      auto& st = self->state;
      std::string err;
      if (st.setup.active)
        return; // the active agent owns the table
      if (!st.table.from_json(json, err)) {
        log::warn("alarms", "ignored the peer's alarm table: {}", err);
        return;
      }
      persist(self);
    },
    [=](flush_atom) { flush(self); },
    [=](alarms_atom) {
      std::vector<alarm_view> out;
      for (auto& a : self->state.table.list())
        out.push_back(view_of(a));
      return out;
    },
  };
}

} // namespace hbs
