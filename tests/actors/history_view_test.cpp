#include <doctest/doctest.h>

#include "actors/history_view.hpp"

using namespace hbs;

namespace {

wire::history full(uint16_t enabled, uint16_t responding) {
  wire::history h;
  h.controller = 1;
  h.network = 0;
  for (size_t i = 0; i < wire::history_entries; ++i)
    h.append({enabled, responding});
  return h;
}

} // namespace

TEST_CASE("a history's view runs oldest to newest with repeats shown as dots") {
  auto h = full(5, 5);
  h.append({5, 4}); // the newest entry: one host stopped answering
  auto lines = history_view_lines(h, "controller-0", "vault");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "controller-1 view from controller-0 vault Mgmnt: 5:5 . . . . . . . . . . . . "
                    ". . . . . . 5:4");
}

TEST_CASE("a view that changes often wraps near 100 characters onto dotted lines") {
  wire::history h;
  h.network = 1;
  for (uint16_t i = 0; i < wire::history_entries; ++i)
    h.append({static_cast<uint16_t>(100 + i), static_cast<uint16_t>(90 + i)});
  auto lines = history_view_lines(h, "controller-0", "event");
  REQUIRE(lines.size() >= 2);
  CHECK(lines[0].rfind("controller-0 view from controller-0 event Clstr: 100:90 101:91", 0) == 0);
  for (auto& l : lines)
    CHECK(l.size() <= 100);
  CHECK(lines[1].rfind("............ ", 0) == 0);
  CHECK(lines.back().substr(lines.back().size() - 7) == "119:109");
}

TEST_CASE("a view is logged first, on every change and once more after changes stop") {
  view_log_gate gate;
  auto a = history_view_lines(full(5, 5), "c", "p");
  auto b = history_view_lines(full(5, 4), "c", "p");
  CHECK(gate.should_log(0, 0, a));       // first output
  CHECK_FALSE(gate.should_log(0, 0, a)); // unchanged
  CHECK(gate.should_log(0, 0, b));       // a difference
  CHECK(gate.should_log(0, 0, b));       // once more after it stopped changing
  CHECK_FALSE(gate.should_log(0, 0, b));
  CHECK(gate.should_log(0, 1, a)); // each controller x network on its own
}

TEST_CASE("a history's memory dump shows its 88 wire bytes") {
  auto h = full(3, 2);
  auto rows = history_memory(h);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].rfind("C1 Mgmnt 00: 01 00 ", 0) == 0); // controller 1, management: 0x0001
  size_t bytes = 0;
  for (auto& r : rows)
    bytes += (r.size() - r.find(':') - 1) / 3;
  CHECK(bytes == wire::history_size);
  CHECK(rows[1].find("03 00 02 00") != std::string::npos); // entries as enabled:responding
}
