#pragma once
// Every atom hbs uses (CAF 0.17: text of at most 10 characters).

#include <caf/type_id.hpp>

CAF_BEGIN_TYPE_ID_BLOCK(hbs_atoms, caf::first_custom_type_id)
  CAF_ADD_ATOM(hbs_atoms, hbs, tick_atom, "tick")
  CAF_ADD_ATOM(hbs_atoms, hbs, readable_atom, "readable")
  CAF_ADD_ATOM(hbs_atoms, hbs, watch_atom, "watch")
  CAF_ADD_ATOM(hbs_atoms, hbs, unwatch_atom, "unwatch")
  CAF_ADD_ATOM(hbs_atoms, hbs, start_atom, "start")
  CAF_ADD_ATOM(hbs_atoms, hbs, stop_atom, "stop")
  CAF_ADD_ATOM(hbs_atoms, hbs, add_atom, "add")
  CAF_ADD_ATOM(hbs_atoms, hbs, del_atom, "del")
  CAF_ADD_ATOM(hbs_atoms, hbs, status_atom, "status")
  CAF_ADD_ATOM(hbs_atoms, hbs, hosts_atom, "hosts")
  CAF_ADD_ATOM(hbs_atoms, hbs, host_atom, "host")
  CAF_ADD_ATOM(hbs_atoms, hbs, events_atom, "events")
  CAF_ADD_ATOM(hbs_atoms, hbs, role_atom, "role")
  CAF_ADD_ATOM(hbs_atoms, hbs, period_atom, "period")
  CAF_ADD_ATOM(hbs_atoms, hbs, pmond_atom, "pmond")
  CAF_ADD_ATOM(hbs_atoms, hbs, flush_atom, "flush")
CAF_END_TYPE_ID_BLOCK(hbs_atoms)
