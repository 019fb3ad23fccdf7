#include "actors/events.hpp"

#include <unistd.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "runtime/log.hpp"

namespace hbs {

std::string to_json_line(const event& e) {
  nlohmann::json j{{"time_ms", e.time_ms}, {"kind", e.kind},         {"controller", e.controller},
                   {"host", e.host},       {"network", e.network},   {"b2b", e.b2b},
                   {"detail", e.detail},   {"mono_ms", e.mono_ms},   {"acted", e.acted}};
  return j.dump();
}

events_state::~events_state() {
  if (file)
    std::fclose(file);
}

namespace {

using self_ptr = events_actor::stateful_pointer<events_state>;

void record(self_ptr self, event& e) {
  auto& st = self->state;
  e.time_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now().time_since_epoch()).count();
  auto line = to_json_line(e);
  bool bad = e.kind == "loss" || e.kind == "degrade_set";
  auto lvl = bad ? log::level::warning : log::level::info;
  if (log::enabled(lvl))
    log::write(lvl, "event", line);
  if (st.file) {
    line += '\n';
    if (std::fwrite(line.data(), 1, line.size(), st.file) != line.size()
        || std::fflush(st.file) != 0) {
      if (st.num_write_errors++ % 100 == 0)
        log::error("events", "cannot write {}: events kept in memory only", st.setup.path);
    }
  }
  st.ring.push_back(std::move(e));
  while (st.ring.size() > st.setup.ring_size)
    st.ring.pop_front();
}

} // namespace

events_actor::behavior_type events_fn(self_ptr self, events_setup s) {
  self->state.setup = std::move(s);
  if (!self->state.setup.path.empty()) {
    self->state.file = std::fopen(self->state.setup.path.c_str(), "a");
    if (!self->state.file)
      log::error("events", "cannot open {} for appending: events kept in memory only",
                 self->state.setup.path);
  }
  return {
    [=](event& e) { record(self, e); },
    [=](events_atom, uint32_t n) {
      auto& ring = self->state.ring;
      auto count = std::min<size_t>(n, ring.size());
      return std::vector<event>(ring.end() - static_cast<std::ptrdiff_t>(count), ring.end());
    },
    [=](flush_atom) {
      auto* f = self->state.file;
      return !f || (std::fflush(f) == 0 && fsync(fileno(f)) == 0);
    },
  };
}

} // namespace hbs
