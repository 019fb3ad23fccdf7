#include "actors/store.hpp"

#include "runtime/atomic_file.hpp"
#include "runtime/log.hpp"

namespace hbs {

void note_write(file_health& h, caf::actor_clock::time_point& since,
                caf::actor_clock::time_point now, const std::string& error) {
  if (error.empty()) {
    if (!h.ok)
      log::info("store", "{}: writes succeed again", h.file);
    h.ok = true;
    return;
  }
  if (h.ok)
    since = now;
  if (h.ok || h.num_failures % 100 == 0)
    log::error("store", "{} not written ({} failure(s)): {}", h.file, h.num_failures + 1, error);
  h.ok = false;
  ++h.num_failures;
  h.last_error = error;
}

file_health health_now(file_health h, caf::actor_clock::time_point since,
                       caf::actor_clock::time_point now) {
  h.failing_for_ms = h.ok ? -1
                          : std::chrono::duration_cast<std::chrono::milliseconds>(now - since)
                              .count();
  return h;
}

store_actor::behavior_type store_fn(store_actor::stateful_pointer<store_state> self,
                                    std::string path) {
  auto& st = self->state;
  st.path = std::move(path);
  st.health.file = st.path.empty() ? "control.json" : st.path;
  return {
    [=](store_atom, const std::string& text) -> std::string {
      auto& st = self->state;
      std::string err;
      ++st.num_writes;
      if (!st.path.empty())
        write_atomically(st.path, text, err);
      note_write(st.health, st.failing_since, self->clock().now(), err);
      return err;
    },
    [=](health_atom) {
      return health_now(self->state.health, self->state.failing_since, self->clock().now());
    },
  };
}

} // namespace hbs
