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
