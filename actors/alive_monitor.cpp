#include "actors/alive_monitor.hpp"

#include <cstring>

#include "actors/readiness.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

constexpr auto window = std::chrono::seconds{5};
constexpr const char* pulse_header = "pmond alive pulse";
constexpr size_t pulse_size = 100;

} // namespace

alive_monitor_actor::behavior_type
alive_monitor_fn(alive_monitor_actor::stateful_pointer<alive_monitor_state> self,
                 alive_monitor_setup s) {
  self->state.setup = std::move(s);
  wake_on_readable<alive_monitor_actor>(self, *self->state.setup.socket);
  self->delayed_send(self, window, tick_atom_v);
  return {
    [=](readable_atom) {
      auto& st = self->state;
      size_t n;
      do {
        n = st.setup.socket->receive(st.rx.data(), st.rx.size());
        for (size_t i = 0; i < n; ++i)
          if (st.rx[i].size == pulse_size
              && std::memcmp(st.rx[i].data.data(), pulse_header, std::strlen(pulse_header)) == 0)
            ++st.num_pulses;
      } while (n == st.rx.size());
      st.setup.socket->rearm();
    },
    [=](tick_atom) {
      auto& st = self->state;
      bool alive = st.num_pulses > 0;
      st.num_pulses = 0;
      if (alive != st.alive) {
        log::info("alive", "process monitor {}", alive ? "alive again" : "silent for 5 s");
        for (auto& r : st.setup.responders)
          self->send(r, pmond_atom_v, alive);
      }
      st.alive = alive;
      self->delayed_send(self, window, tick_atom_v);
    },
  };
}

} // namespace hbs
