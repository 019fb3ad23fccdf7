#pragma once
// The agent's durable, replicated control state (messages/control.hpp) as a value type: the
// TOML seeds every register at generation 0; run-time changes (hbsctl, SIGHUP, the peer)
// carry newer stamps, are persisted as JSON and win over the file at the next start; merging
// a peer's snapshot keeps the newer stamp of every register, so merges commute, repeat
// harmlessly and converge. No CAF, no files, no time.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "messages/control.hpp"

namespace hbs {

// What a merge changed in value (a newer stamp on an equal value changes nothing here).
struct control_change {
  std::vector<std::string> hosts;
  bool designation = false;
  bool action = false;
  bool tune = false;
  bool own_lock = false;
  // Hosts held here before the merge that it eclipsed (their address is a host's whose
  // membership is newer; merge's `settle`), as they were, and why.
  struct settled_host {
    host_record was;
    std::string why;
  };
  std::vector<settled_host> settled;
  bool empty() const { return hosts.empty() && !designation && !action && !tune && !own_lock; }
};

class control_state {
public:
  // The configuration seeds every register (generation 0, origin: this controller).
  explicit control_state(const cfg::agent_config& c);

  // Run-time changes persisted earlier, over the seed. False, state unchanged and `error`
  // set when the text is not a valid state; `notes` names every value that wins over a
  // different one in the file.
  bool load(const std::string& text, std::string& error, std::vector<std::string>& notes);
  // What is persisted: every register written at run time (generation > 0).
  std::string to_json() const;

  // The next stamp for a change this agent takes; nullopt when generations are exhausted.
  // A hybrid logical clock: above every generation seen and not below `now_ms` (the wall
  // clock), so a change made after another one seen always outranks it, and of two changes
  // made unseen on the two sides of a partition the later one does (the controllers' clocks
  // in step, as NTP keeps them). now_ms 0: a plain Lamport clock.
  std::optional<stamp> next(uint64_t now_ms = 0);
  // Checks a snapshot from the peer or the disk before anything of it is applied: sizes,
  // names, addresses, enums, tuning, generations. "" when acceptable.
  std::string check(const control_snapshot& s) const;
  // Keeps the newer of each register; refused (nothing changes, `error` set) when the result
  // would not be a valid inventory. `notes`: generations far ahead of ours and of `now_ms`,
  // worth a loud log line. Two present hosts at one address: the newer membership holds it,
  // the other is eclipsed (`holds` false) until it is free; the hosts this eclipses are named
  // in control_change::settled. Without `settle` (an operator's command) a host the snapshot
  // names may take no held address: refused.
  std::optional<control_change> merge(const control_snapshot& s, std::string& error,
                                      std::vector<std::string>& notes, uint64_t now_ms = 0,
                                      bool settle = false);

  control_snapshot full() const;
  // Every scalar register and the named hosts' records: one change for the peer.
  control_snapshot delta(const std::vector<std::string>& hosts) const;

  const std::map<std::string, host_record>& hosts() const { return hosts_; }
  const host_record* find(const std::string& name) const; // held hosts only
  const host_record* present(const std::string& name) const; // held or eclipsed
  // Present and not eclipsed: heartbeated (if started), counted, in the configuration.
  bool holds(const host_record& h) const;
  // Each eclipsed host and why ("its management address A is held by H"): for hbsctl.
  std::map<std::string, std::string> eclipses() const;
  const stamped<std::string>& designation() const { return designation_; }
  const stamped<cfg::failure_action>& action() const { return action_; }
  const stamped<tuning>& tune() const { return tune_; }
  bool locked(uint32_t controller) const { return locks_[controller & 1].value; }
  uint64_t generation() const { return generation_; }
  uint32_t number() const { return number_; }
  // The configuration the state describes (hosts present, tuning, action), for validation.
  cfg::agent_config as_config() const;

private:
  using noter = std::function<void(const host_record&)>;
  bool merge_in_place(const control_snapshot& s, control_change& ch, const noter& noted);
  bool merge_whole(const control_snapshot& s, control_state& trial, control_change& ch,
                   const noter& noted, std::string& error, bool settle) const;
  bool free_for(const host_record& r) const; // its addresses held by nobody else
  void index(const host_record& h);
  void unindex(const host_record& h);
  void reindex();

  cfg::agent_config base_;
  uint32_t number_;
  uint64_t generation_ = 0;
  std::map<std::string, host_record> hosts_;
  std::set<std::string> eclipsed_; // present, but a newer membership holds their address
  std::set<std::string> seeded_;   // the hosts this agent's file names
  // Present hosts' addresses per network -> name, and how many are present: exact while no
  // host is eclipsed (the only time merge_in_place uses them).
  std::unordered_map<std::string, std::string> owner_[2];
  size_t num_present_ = 0;
  stamped<std::string> designation_;
  stamped<cfg::failure_action> action_;
  stamped<tuning> tune_;
  stamped<bool> locks_[2];
};

// How many generations ahead of ours (and of our wall clock, in ms: ~17 minutes) a peer's
// stamp may be before it is logged loudly.
constexpr uint64_t far_ahead = 1000000;

} // namespace hbs
