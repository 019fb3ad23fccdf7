#pragma once
// Control-state test helpers: two agents' configurations and changes as the controller takes
// them (tests of control_state's core, merging and file).

#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "actors/control_state.hpp"

namespace hbs::test {

inline cfg::agent_config config(int me, bool active = true) {
  cfg::agent_config c;
  c.controller = me == 0 ? "controller-0" : "controller-1";
  c.active = active;
  cfg::network_config n;
  n.local_address = me == 0 ? "10.0.0.1" : "10.0.0.2";
  c.networks = {n};
  c.hosts = {{"controller-0", cfg::host_type::controller, "10.0.0.1", "", true},
             {"controller-1", cfg::host_type::controller, "10.0.0.2", "", true},
             {"worker-0", cfg::host_type::worker, "10.0.0.10", "", true},
             {"worker-1", cfg::host_type::worker, "10.0.0.11", "", false}};
  return c;
}

// A change as the controller takes it: the record with this agent's next stamp (on both
// registers, as an add stamps them, unless told which).
enum class part { membership, start, both };
inline control_snapshot change_host(control_state& cs, host_record r, uint64_t now_ms = 0,
                             part p = part::both) {
  auto s = *cs.next(now_ms);
  if (p != part::start)
    r.at = s;
  if (p != part::membership)
    r.started_at = s;
  auto d = cs.delta({});
  d.hosts = {r};
  return d;
}

inline control_change apply(control_state& cs, const control_snapshot& s) {
  std::string err;
  std::vector<std::string> notes;
  auto ch = cs.merge(s, err, notes);
  REQUIRE_MESSAGE(ch, err);
  return *ch;
}

inline host_record record(const control_state& cs, const std::string& name) {
  return cs.hosts().at(name);
}

// `name` deleted on `cs` at `now_ms` (its membership only), applied there: the delta.
inline control_snapshot deleted(control_state& cs, const std::string& name, uint64_t now_ms) {
  auto r = record(cs, name);
  r.present = false;
  auto d = change_host(cs, r, now_ms, part::membership);
  apply(cs, d);
  return d;
}


} // namespace hbs::test
