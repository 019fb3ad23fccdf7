// Merging a snapshot (the peer's, the file's, a command's) into the control state: the newer
// register wins, who holds a contested address is settled from the registers, and the
// result is checked, in place for a few hosts or on a copy.
#include "actors/control_state.hpp"

#include <algorithm>
#include <set>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

namespace hbs {

namespace {

// Keeps the newer register; true when the value changed.
template <class T, class Same>
bool take(stamped<T>& mine, const stamped<T>& theirs, Same same) {
  if (!(mine.at < theirs.at))
    return false;
  bool changed = !same(mine.value, theirs.value);
  mine = theirs;
  return changed;
}

// A host's two registers, each kept if newer (a record new here is taken whole); true when
// either was taken.
bool take_host(host_record& mine, const host_record& theirs) {
  bool fresh = mine.name.empty();
  bool membership = fresh || mine.at < theirs.at;
  bool started = fresh || mine.started_at < theirs.started_at;
  auto kept = mine;
  if (membership)
    mine = theirs;
  auto& from = started ? theirs : kept;
  mine.monitored = from.monitored;
  mine.started_at = from.started_at;
  return membership || started;
}

// Present hosts holding one address (each controller gave it to another host unseen across a
// cut, or the file to a host since): the newest membership holds it; the others are
// eclipsed (not heartbeated, not counted) while it is taken. A function of the registers
// alone, so two agents with equal registers agree whatever the order of their merges:
// storing the outcome let crossing merges keep different ones.
struct eclipse {
  std::string network; // of the address taken
  std::string address;
  std::string by;      // the host holding it
};

std::map<std::string, eclipse> eclipsed_hosts(const std::map<std::string, host_record>& all) {
  std::map<std::string, eclipse> out;
  std::vector<const host_record*> order;
  std::unordered_map<std::string_view, int> seen[2];
  bool clash = false;
  for (auto& [name, h] : all)
    if (h.present) {
      order.push_back(&h);
      clash |= ++seen[0][h.management] > 1;
      clash |= !h.cluster_host.empty() && ++seen[1][h.cluster_host] > 1;
    }
  if (!clash)
    return out;
  std::stable_sort(order.begin(), order.end(),
                   [](const host_record* a, const host_record* b) { return b->at < a->at; });
  std::map<std::string_view, const host_record*> held[2]; // per network: address -> holder
  for (auto* h : order) {
    std::string_view addr[2] = {h->management, h->cluster_host};
    int net = held[0].count(addr[0]) ? 0 : !addr[1].empty() && held[1].count(addr[1]) ? 1 : -1;
    if (net >= 0) {
      out[h->name] = {net ? "cluster-host" : "management", std::string{addr[net]},
                      held[net].at(addr[net])->name};
      continue;
    }
    for (int n : {0, 1})
      if (!addr[n].empty())
        held[n][addr[n]] = h;
  }
  return out;
}

} // namespace

std::map<std::string, std::string> control_state::eclipses() const {
  std::map<std::string, std::string> out;
  if (eclipsed_.empty()) // the common case costs nothing
    return out;
  for (auto& [name, e] : eclipsed_hosts(hosts_))
    out[name] = fmt::format("its {} address {} is held by {}, whose membership is newer",
                            e.network, e.address, e.by);
  return out;
}

void control_state::index(const host_record& h) {
  owner_[0][h.management] = h.name;
  if (!h.cluster_host.empty())
    owner_[1][h.cluster_host] = h.name;
}

void control_state::unindex(const host_record& h) {
  for (auto [n, addr] : {std::pair{0, &h.management}, {1, &h.cluster_host}})
    if (auto it = owner_[n].find(*addr); it != owner_[n].end() && it->second == h.name)
      owner_[n].erase(it);
}

void control_state::reindex() {
  owner_[0].clear();
  owner_[1].clear();
  num_present_ = 0;
  for (auto& [name, h] : hosts_)
    if (h.present) {
      index(h);
      ++num_present_;
    }
}

bool control_state::free_for(const host_record& r) const {
  for (auto [n, addr] : {std::pair{0, &r.management}, {1, &r.cluster_host}})
    if (auto it = owner_[n].find(*addr); !addr->empty() && it != owner_[n].end()
                                           && it->second != r.name)
      return false;
  for (auto& net : base_.networks) // this controller's own address is its own
    if (r.name != base_.controller
        && (net.index == cfg::management ? r.management : r.cluster_host) == net.local_address)
      return false;
  return true;
}

// A few hosts' registers, where no address is contested anywhere (an mtcAgent push is
// thousands of one-host changes, and checking each against the whole inventory cost time in
// proportion to it): checked against the address index and applied in place. False, nothing
// changed: merge_whole decides.
bool control_state::merge_in_place(const control_snapshot& s, control_change& ch,
                                   const std::function<void(const host_record&)>& noted) {
  if (s.full || s.hosts.size() > 8 || !eclipsed_.empty())
    return false;
  std::vector<host_record> taken;
  std::vector<const host_record*> from;
  auto held = static_cast<long>(num_present_);
  for (auto& h : s.hosts) {
    auto it = hosts_.find(h.name);
    auto mine = it != hosts_.end() ? it->second : host_record{};
    if (!take_host(mine, h))
      continue;
    held += long{mine.present} - long{it != hosts_.end() && it->second.present};
    if (mine.present && !free_for(mine))
      return false;
    taken.push_back(std::move(mine));
    from.push_back(&h);
  }
  std::set<std::pair<int, std::string>> claimed; // by two records of this snapshot
  for (auto& r : taken)
    for (auto [n, addr] : {std::pair{0, &r.management}, {1, &r.cluster_host}})
      if (r.present && !addr->empty() && !claimed.insert({n, *addr}).second)
        return false;
  std::set<std::string> names;
  for (auto& r : taken)
    if (!names.insert(r.name).second)
      return false;
  if (held > static_cast<long>(cfg::max_hosts))
    return false;
  for (size_t i = 0; i < taken.size(); ++i) {
    auto& slot = hosts_[taken[i].name];
    auto before = slot;
    if (!before.name.empty() && before.present)
      unindex(before);
    slot = std::move(taken[i]);
    if (slot.present)
      index(slot);
    noted(*from[i]);
    if (before.name.empty() || !before.same_value(slot))
      ch.hosts.push_back(slot.name);
  }
  num_present_ = static_cast<size_t>(held);
  return true;
}

std::optional<control_change> control_state::merge(const control_snapshot& s,
                                                   std::string& error,
                                                   std::vector<std::string>& notes,
                                                   uint64_t now_ms, bool settle) {
  if (error = check(s); !error.empty())
    return std::nullopt;
  control_change ch;
  auto ours = std::max(generation_, now_ms);
  auto note_far = [&](const stamp& st, const std::string& what) {
    if (st.generation > ours + far_ahead)
      notes.push_back(fmt::format("{} carries generation {}, {} ahead of this agent's {}",
                                  what, st.generation, st.generation - ours, ours));
  };
  auto noted = [&](const host_record& h) {
    note_far(h.at, "host " + h.name);
    note_far(h.started_at, "host " + h.name + "'s start or stop");
  };
  std::optional<control_state> copy;
  auto* trial = this;
  if (!merge_in_place(s, ch, noted)) {
    copy = *this;
    trial = &*copy;
    if (!merge_whole(s, *trial, ch, noted, error, settle))
      return std::nullopt;
  }
  note_far(s.designation.at, "the designation");
  note_far(s.action.at, "the failure action");
  note_far(s.tune.at, "the tuning");
  for (auto& l : s.locks)
    note_far(l.at, "a lock");
  ch.designation = take(trial->designation_, s.designation,
                        [](auto& a, auto& b) { return a == b; });
  ch.action = take(trial->action_, s.action, [](auto a, auto b) { return a == b; });
  ch.tune = take(trial->tune_, s.tune, [](auto& a, auto& b) { return a == b; });
  for (uint32_t n = 0; n < s.locks.size(); ++n)
    if (take(trial->locks_[n], s.locks[n], [](bool a, bool b) { return a == b; })
        && n == number_)
      ch.own_lock = true;
  auto& g = trial->generation_;
  g = std::max(generation_, s.generation);
  for (auto& h : s.hosts)
    g = std::max({g, h.at.generation, h.started_at.generation});
  for (auto* st : {&s.designation.at, &s.action.at, &s.tune.at})
    g = std::max(g, st->generation);
  for (auto& l : s.locks)
    g = std::max(g, l.at.generation);
  if (copy) {
    *this = std::move(*copy);
    reindex();
  }
  return ch;
}

// Every host of the snapshot into `trial` (a copy), who holds which address settled over the
// whole inventory, and the result validated as the configuration would be.
bool control_state::merge_whole(const control_snapshot& s, control_state& trial,
                                control_change& ch,
                                const std::function<void(const host_record&)>& noted,
                                std::string& error, bool settle) const {
  for (auto& h : s.hosts) {
    auto& mine = trial.hosts_[h.name];
    auto before = mine;
    if (!take_host(mine, h))
      continue;
    noted(h);
    if (before.name.empty() || !before.same_value(mine))
      ch.hosts.push_back(h.name);
  }
  auto eclipsed = eclipsed_hosts(trial.hosts_);
  trial.eclipsed_.clear();
  for (auto& [name, e] : eclipsed) {
    trial.eclipsed_.insert(name);
    auto it = hosts_.find(name);
    if (it == hosts_.end() || !holds(it->second))
      continue; // not held here before this merge either
    // An operator's command never gives a host a held address; what it frees may go back
    // to a host eclipsed for it, and that one's to its own holder.
    auto named = [&](const std::string& n) {
      return std::any_of(s.hosts.begin(), s.hosts.end(), [&](auto& h) { return h.name == n; });
    };
    if (!settle && named(e.by)) {
      error = fmt::format("the merged inventory would be invalid: {} would take {}'s {} "
                          "address {} (duplicate address)", e.by, name, e.network, e.address);
      return false;
    }
    ch.settled.push_back({it->second, fmt::format("{} no longer heartbeated: its {} address "
                                                  "{} is {}'s, whose membership is newer",
                                                  name, e.network, e.address, e.by)});
  }
  const std::set<std::string>* sets[] = {&eclipsed_, &trial.eclipsed_};
  for (auto* names : sets) // held before or now, not both
    for (auto& name : *names) {
      auto it = hosts_.find(name);
      bool was = it != hosts_.end() && holds(it->second);
      if (was != trial.holds(trial.hosts_.at(name))
          && std::find(ch.hosts.begin(), ch.hosts.end(), name) == ch.hosts.end())
        ch.hosts.push_back(name);
    }
  std::vector<std::string> problems; // the tuning the snapshot brings: check() checked it
  cfg::validate(trial.as_config(), problems);
  if (!problems.empty()) {
    error = "the merged inventory would be invalid: " + problems.front();
    return false;
  }
  return true;
}

} // namespace hbs
