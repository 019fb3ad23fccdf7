#pragma once
// Records heartbeat events: one log line, one JSON object per line in the events file
// (flushed per event, they are rare and must not be lost), and a ring for hbsctl.

#include <cstdio>
#include <deque>
#include <string>

#include "actors/interfaces.hpp"

namespace hbs {

struct events_setup {
  std::string path; // empty: no file (tests)
  size_t ring_size = 1000;
};

struct events_state {
  events_setup setup;
  std::deque<event> ring;
  FILE* file = nullptr;
  uint64_t num_write_errors = 0;
  ~events_state();
  static inline const char* name = "events";
};

events_actor::behavior_type events_fn(events_actor::stateful_pointer<events_state> self,
                                      events_setup s);

// The JSON line written for one event (also what hbsctl --json prints).
std::string to_json_line(const event& e);

} // namespace hbs
