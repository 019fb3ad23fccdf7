#pragma once
// The control state both agents replicate and persist: inventory, failure action, active
// designation, run-time tuning and each controller's lock. Every value is a last-writer-wins
// register stamped with a generation from a hybrid logical clock (control_state::next; ties:
// the higher controller number), so any two agents that have seen the same registers hold
// the same state, whatever the order.
// Plain structs with inspect(); the logic is actors/control_state.

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace hbs {

// The peer link's protocol: the layout of everything peer_gateway_actor carries. Two agents
// link only when theirs are equal (peer.cpp asks before anything else crosses), so a rolling
// upgrade leaves the link down (as a partition) instead of misreading the other's state. A
// change to any type the link carries must bump it: tests/messages/peer_protocol_test.cpp
// pins the layout of each protocol. 1: every release before the check (asks nothing).
// The question itself (protocol_atom, answered uint32_t and std::string) never changes.
constexpr uint32_t peer_protocol = 2;

// Stamps stay exact as JSON numbers (doubles) and can never wrap: a larger one is refused.
constexpr uint64_t max_generation = (uint64_t{1} << 53) - 1;

struct stamp {
  uint64_t generation = 0; // 0: the value came from a configuration file
  uint32_t origin = 0;     // the controller number that wrote it
  bool operator<(const stamp& o) const {
    return generation != o.generation ? generation < o.generation : origin < o.origin;
  }
  bool operator==(const stamp& o) const {
    return generation == o.generation && origin == o.origin;
  }
  // One number that orders designations: what events carry so consumers can tell which
  // side of a dual-active window is current (higher wins).
  uint64_t epoch() const { return generation * 2 + (origin & 1); }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stamp& x) {
  return f(x.generation, x.origin);
}

// Two registers: the host's membership (present, type, addresses; `at`) and whether it is
// heartbeated (`monitored`; `started_at`). A command states one or both and stamps only
// those, so a start given later never restates an address or a deletion made unseen on the
// peer, nor an add restate the peer's start or stop.
struct host_record {
  std::string name;
  cfg::host_type type = cfg::host_type::worker;
  std::string management;
  std::string cluster_host; // empty: not on cluster-host
  bool present = true;      // false: deleted, kept so the delete outranks older changes
  bool monitored = false;
  stamp at;
  stamp started_at;
  bool same_value(const host_record& o) const {
    return name == o.name && type == o.type && management == o.management
           && cluster_host == o.cluster_host && present == o.present
           && monitored == o.monitored;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, host_record& x) {
  return f(x.name, x.type, x.management, x.cluster_host, x.present, x.monitored, x.at,
           x.started_at);
}

// Period and thresholds changed at run time (SIGHUP, hbsctl tune).
struct tuning {
  uint32_t period_ms = 100;
  uint32_t minor = 4;
  uint32_t degrade = 6;
  uint32_t loss = 10;
  bool operator==(const tuning& o) const {
    return period_ms == o.period_ms && minor == o.minor && degrade == o.degrade
           && loss == o.loss;
  }
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, tuning& x) {
  return f(x.period_ms, x.minor, x.degrade, x.loss);
}

template <class T>
struct stamped {
  T value{};
  stamp at;
};

template <class Inspector, class T>
typename Inspector::result_type inspect(Inspector& f, stamped<T>& x) {
  return f(x.value, x.at);
}

// What crosses the peer link: everything on link-up, one change after that. Scalars always
// travel (they are small); `hosts` holds all records or only the changed ones.
struct control_snapshot {
  uint64_t generation = 0;          // the sender's clock
  bool full = false;                // every record the sender has
  std::vector<host_record> hosts;
  stamped<std::string> designation; // the controller named active
  stamped<cfg::failure_action> action;
  stamped<tuning> tune;
  std::vector<stamped<bool>> locks; // per controller number: locked by an operator
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, control_snapshot& x) {
  return f(x.generation, x.full, x.hosts, x.designation, x.action, x.tune, x.locks);
}

} // namespace hbs
