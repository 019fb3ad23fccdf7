#pragma once
// Records events: one log line, one JSON object per line in the events file (written per
// event, whole or not at all: a full disk never leaves a torn or merged record), and a ring
// for hbsctl. Every event carries the designation epoch in force when it was recorded.

#include <deque>
#include <string>

#include "actors/interfaces.hpp"
#include "runtime/hook_runner.hpp"

namespace hbs {

struct events_setup {
  std::string path; // empty: no file (tests)
  size_t ring_size = 1000;
  // Bounded disk: past max_bytes the file is renamed path.1 (path.1 to path.2, ...) and a
  // new one started; `keep` rotated files are kept, the oldest removed. Whole files move,
  // so no record is ever torn. 0: no limit.
  int64_t max_bytes = 16 << 20;
  uint32_t keep = 4;
  std::shared_ptr<hook_runner> hooks; // null: no [[hooks]] configured
  mtc_gateway_actor mtc;              // starlingx mode: every event goes to mtcAgent's door
};

struct events_state {
  events_setup setup;
  std::deque<event> ring;
  int fd = -1;
  int64_t size = 0;          // bytes of whole records in the file
  uint64_t num_rotations = 0;
  uint64_t epoch = 0;
  file_health health;
  caf::actor_clock::time_point failing_since{};
  ~events_state();
  static inline const char* name = "events";
};

events_actor::behavior_type events_fn(events_actor::stateful_pointer<events_state> self,
                                      events_setup s);

// The JSON line written for one event (also what hbsctl --json prints).
std::string to_json_line(const event& e);

// Appends one record to fd (opened O_APPEND) whose whole records end at `size`: either the
// whole line lands and size grows, or the file is cut back to `size`. "" or the error.
std::string append_record(int fd, int64_t& size, const std::string& line);

} // namespace hbs
