#pragma once
// Writes the control state (<state_dir>/control.json) whole or not at all, and remembers
// whether writes succeed, for hbsctl status. Blocking (fsync): the daemon runs it on a thread
// of its own so a slow disk never holds a scheduler thread.

#include <string>

#include "actors/interfaces.hpp"

namespace hbs {

struct store_state {
  std::string path;        // empty: nothing written (tests)
  file_health health;
  uint64_t num_writes = 0; // tried
  caf::actor_clock::time_point failing_since{};
  static inline const char* name = "store";
};

store_actor::behavior_type store_fn(store_actor::stateful_pointer<store_state> self,
                                    std::string path);

// Bookkeeping shared by every writer of the state directory: one write's outcome.
void note_write(file_health& h, caf::actor_clock::time_point& since,
                caf::actor_clock::time_point now, const std::string& error);
file_health health_now(file_health h, caf::actor_clock::time_point since,
                       caf::actor_clock::time_point now);

} // namespace hbs
