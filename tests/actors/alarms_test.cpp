#include <doctest/doctest.h>

#include <fmt/format.h>

#include "actors/alarms.hpp"
#include "actors/events.hpp"
#include "tests/support/caf_fixture.hpp"

using namespace hbs;
using namespace std::chrono_literals;

TEST_CASE_FIXTURE(test::caf_fixture, "an alarm storm over a thousand hosts is one table write") {
  auto events = sys.spawn(events_fn, events_setup{"", 10, 16 << 20, 4, nullptr, {}});
  auto alarms = sys.spawn(alarms_fn, alarms_setup{"controller-0", true, "", "", events, {}, {}});
  run();
  for (int i = 0; i < 1000; ++i)
    caf::anon_send(alarms, raise_atom_v, std::string{"200.005"}, fmt::format("w-{}", i),
                   uint8_t{1});
  run();
  auto& st = state_of<alarms_state>(alarms);
  CHECK(st.table.size() == 1000);
  CHECK(st.num_writes == 0); // not yet: writes are coalesced
  advance(100ms);
  CHECK(st.num_writes == 1);
  CHECK_FALSE(st.dirty);
  caf::anon_send(alarms, clear_atom_v); // bulk clear: one more write
  run();
  advance(100ms);
  CHECK(st.num_writes == 2);
  CHECK(st.table.size() == 0);
  caf::anon_send_exit(alarms, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(events, caf::exit_reason::user_shutdown);
  run();
}

TEST_CASE_FIXTURE(test::caf_fixture, "an agent made active clears the alarms its peer raised "
                                     "about this agent's own controller") {
  // The peer, active, alarmed controller-0 as one of its hosts and handed the table over;
  // controller-0 never heartbeats itself, so nothing else would clear it (nemesis seed
  // 1205045).
  alarm_table peers;
  peers.raise("200.005", "controller-0", severity::major, 1000);
  peers.raise("200.005", "worker-1", severity::critical, 1000);
  peers.set_verdict("controller-0", "failed");
  auto events = sys.spawn(events_fn, events_setup{"", 10, 16 << 20, 4, nullptr, {}});
  auto alarms = sys.spawn(alarms_fn, alarms_setup{"controller-0", false, "", "", events, {}, {}});
  caf::anon_send(alarms, table_atom_v, peers.to_json());
  run();
  auto& st = state_of<alarms_state>(alarms);
  CHECK(st.table.size() == 2); // inactive: it only keeps the peer's table
  caf::anon_send(alarms, role_atom_v, true);
  run();
  CHECK(st.table.size() == 1);
  CHECK(st.table.find("200.005", "worker-1") != nullptr);
  CHECK(st.table.find("200.005", "controller-0") == nullptr);
  CHECK(st.table.verdicts().count("controller-0") == 0);
  caf::anon_send_exit(alarms, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(events, caf::exit_reason::user_shutdown);
  run();
}
