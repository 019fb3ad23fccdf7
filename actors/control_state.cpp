#include "actors/control_state.hpp"

#include <algorithm>
#include <stdexcept>
#include <set>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "messages/json_whole.hpp"

namespace hbs {

namespace {

using json = nlohmann::json;

// A whole number that fits T, or a throw (messages/json_whole.hpp).
template <class T>
T whole(const json& v, const char* what) {
  T out{};
  if (!json_whole(v, out))
    throw std::runtime_error(std::string{what} + ": expected a whole number in range, got "
                             + v.dump());
  return out;
}

json stamp_json(const stamp& s) {
  return {{"generation", s.generation}, {"origin", s.origin}};
}

stamp stamp_of(const json& j) {
  return {whole<uint64_t>(j.at("generation"), "generation"),
          whole<uint32_t>(j.at("origin"), "origin")};
}

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

std::string check_record(const host_record& h) {
  if (!cfg::valid_host_name(h.name))
    return fmt::format("host \"{}\": not a valid host name", h.name.substr(0, 80));
  if (static_cast<uint8_t>(h.type) > static_cast<uint8_t>(cfg::host_type::storage))
    return fmt::format("host {}: unknown type {}", h.name, static_cast<int>(h.type));
  if (!cfg::is_ipv4(h.management))
    return fmt::format("host {}: management \"{}\" is not an IPv4 address", h.name,
                       h.management.substr(0, 80));
  if (!h.cluster_host.empty() && !cfg::is_ipv4(h.cluster_host))
    return fmt::format("host {}: cluster-host \"{}\" is not an IPv4 address", h.name,
                       h.cluster_host.substr(0, 80));
  return {};
}

} // namespace

control_state::control_state(const cfg::agent_config& c)
  : base_(c), number_(c.controller_number()) {
  stamp seed{0, number_};
  for (auto& h : c.hosts) {
    hosts_[h.name] = {h.name, h.type, h.management, h.cluster_host, true, h.start, seed, seed};
    seeded_.insert(h.name);
  }
  designation_ = {c.active ? c.controller : c.peer_name(), seed};
  action_ = {c.action, seed};
  tune_ = {{c.period_ms, c.limits.minor, c.limits.degrade, c.limits.loss}, seed};
  locks_[0] = locks_[1] = {false, seed};
  base_.hosts.clear();
  reindex();
}

std::optional<stamp> control_state::next(uint64_t now_ms) {
  if (generation_ >= max_generation)
    return std::nullopt;
  generation_ = std::max(generation_ + 1, std::min(now_ms, max_generation));
  return stamp{generation_, number_};
}

const host_record* control_state::find(const std::string& name) const {
  auto it = hosts_.find(name);
  return it != hosts_.end() && holds(it->second) ? &it->second : nullptr;
}

const host_record* control_state::present(const std::string& name) const {
  auto it = hosts_.find(name);
  return it != hosts_.end() && it->second.present ? &it->second : nullptr;
}

bool control_state::holds(const host_record& h) const {
  return h.present && !eclipsed_.count(h.name);
}

std::string control_state::check(const control_snapshot& s) const {
  if (s.hosts.size() > cfg::max_hosts)
    return fmt::format("{} host records, allowed at most {}", s.hosts.size(), cfg::max_hosts);
  if (s.locks.size() > 2)
    return fmt::format("{} lock registers, allowed 2", s.locks.size());
  std::vector<stamp> stamps{s.designation.at, s.action.at, s.tune.at};
  for (auto& l : s.locks)
    stamps.push_back(l.at);
  for (auto& h : s.hosts) {
    if (auto p = check_record(h); !p.empty())
      return p;
    stamps.push_back(h.at);
    stamps.push_back(h.started_at);
  }
  for (auto& st : stamps)
    if (st.generation > max_generation || st.origin > 1)
      return fmt::format("stamp {}.{} out of range (generation <= {}, origin 0 or 1)",
                         st.generation, st.origin, max_generation);
  if (s.generation > max_generation)
    return fmt::format("generation {} above {}", s.generation, max_generation);
  auto& d = s.designation.value;
  if (d != base_.controller && d != base_.peer_name())
    return fmt::format("designation \"{}\": neither {} nor {}", d.substr(0, 80),
                       base_.controller, base_.peer_name());
  if (static_cast<uint8_t>(s.action.value) > static_cast<uint8_t>(cfg::failure_action::none))
    return fmt::format("unknown failure action {}", static_cast<int>(s.action.value));
  auto& t = s.tune.value;
  return cfg::check_tuning(t.period_ms, {t.minor, t.degrade, t.loss});
}

cfg::agent_config control_state::as_config() const {
  auto c = base_;
  for (auto& [name, h] : hosts_)
    if (holds(h))
      c.hosts.push_back({h.name, h.type, h.management, h.cluster_host, h.monitored});
  auto& t = tune_.value;
  c.period_ms = t.period_ms;
  c.limits = {t.minor, t.degrade, t.loss};
  c.action = action_.value;
  return c;
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

control_snapshot control_state::full() const {
  auto s = delta({});
  s.full = true;
  for (auto& [name, h] : hosts_)
    s.hosts.push_back(h);
  return s;
}

control_snapshot control_state::delta(const std::vector<std::string>& names) const {
  control_snapshot s;
  s.generation = generation_;
  for (auto& n : names)
    if (auto it = hosts_.find(n); it != hosts_.end())
      s.hosts.push_back(it->second);
  s.designation = designation_;
  s.action = action_;
  s.tune = tune_;
  s.locks = {locks_[0], locks_[1]};
  return s;
}

std::string control_state::to_json() const {
  json hosts = json::array();
  // Registers changed at run time, and all of a host this agent's file does not name (the
  // peer's file's): a generation-0 value of a host the file names is the file's, perhaps
  // the peer's, and written here it would outrank this agent's own file after an edit of
  // both.
  for (auto& [name, h] : hosts_) {
    json r{{"name", h.name}};
    bool own = seeded_.count(name) > 0;
    if (h.at.generation > 0 || !own)
      r.update({{"type", cfg::to_string(h.type)}, {"management", h.management},
                {"cluster_host", h.cluster_host}, {"present", h.present},
                {"stamp", stamp_json(h.at)}});
    if (h.started_at.generation > 0 || !own)
      r.update({{"monitored", h.monitored}, {"started_stamp", stamp_json(h.started_at)}});
    if (r.size() > 1)
      hosts.push_back(std::move(r));
  }
  json j{{"format", 2}, {"generation", generation_}, {"hosts", hosts}};
  if (designation_.at.generation > 0)
    j["designation"] = {{"value", designation_.value}, {"stamp", stamp_json(designation_.at)}};
  if (action_.at.generation > 0)
    j["action"] = {{"value", cfg::to_string(action_.value)}, {"stamp", stamp_json(action_.at)}};
  if (auto& t = tune_; t.at.generation > 0)
    j["tuning"] = {{"period_ms", t.value.period_ms}, {"minor", t.value.minor},
                   {"degrade", t.value.degrade}, {"loss", t.value.loss},
                   {"stamp", stamp_json(t.at)}};
  for (uint32_t n = 0; n < 2; ++n)
    if (locks_[n].at.generation > 0)
      j["locks"][std::to_string(n)] = {{"value", locks_[n].value},
                                       {"stamp", stamp_json(locks_[n].at)}};
  return j.dump(1);
}

namespace {

// The file's registers over `s` (a copy of the current state); throws on a malformed file.
// A host's registers as the file has them: format 1 has every field under one stamp (or two,
// as builds between the formats wrote); format 2 the registers changed at run time, and all
// of a host this agent's file does not name. A register at generation 0 of a host the file
// names is the file's own: the file's value stands. False: nothing to merge.
bool read_host(const json& h, int format, const std::map<std::string, host_record>& seeds,
               host_record& r) {
  r.name = h.at("name").get<std::string>();
  auto seed = seeds.find(r.name);
  bool seeded = seed != seeds.end();
  if (seeded)
    r = seed->second;
  const char* start_key = h.contains("started_stamp") ? "started_stamp"
                          : format == 1               ? "stamp"
                                                      : nullptr;
  if (!h.contains("stamp") && !h.contains("started_stamp"))
    throw std::runtime_error("host " + r.name + ": no register");
  auto taken = [&](const char* key) -> std::optional<stamp> {
    if (!key || !h.contains(key))
      return std::nullopt;
    auto st = stamp_of(h.at(key));
    return st.generation == 0 && seeded ? std::nullopt : std::optional<stamp>{st};
  };
  auto membership = taken("stamp");
  auto started = taken(start_key);
  if (membership) {
    if (!cfg::parse_host_type(h.at("type").get<std::string>(), r.type))
      throw std::runtime_error("host " + r.name + ": unknown type");
    r.management = h.at("management").get<std::string>();
    r.cluster_host = h.at("cluster_host").get<std::string>();
    r.present = h.at("present").get<bool>();
    r.at = *membership;
  }
  if (started) {
    r.monitored = h.at("monitored").get<bool>();
    r.started_at = *started;
  }
  if (!seeded && !membership) // only its start changed, and the file no longer names it
    return false;
  return membership || started;
}

void read_state(const json& j, const std::map<std::string, host_record>& seeds,
                control_snapshot& s) {
  auto format = whole<int>(j.at("format"), "format");
  if (format != 1 && format != 2)
    throw std::runtime_error("unknown format " + j.at("format").dump());
  s.generation = whole<uint64_t>(j.at("generation"), "generation");
  auto positive = [](const stamp& st) {
    if (st.generation == 0)
      throw std::runtime_error("a run-time change with generation 0");
    return st;
  };
  for (auto& h : j.at("hosts")) {
    host_record r;
    if (read_host(h, format, seeds, r))
      s.hosts.push_back(std::move(r));
  }
  if (j.contains("designation"))
    s.designation = {j["designation"].at("value").get<std::string>(),
                     positive(stamp_of(j["designation"].at("stamp")))};
  if (j.contains("action")) {
    if (!cfg::parse_failure_action(j["action"].at("value").get<std::string>(), s.action.value))
      throw std::runtime_error("unknown failure action " + j["action"].at("value").dump());
    s.action.at = positive(stamp_of(j["action"].at("stamp")));
  }
  if (j.contains("tuning")) {
    auto& t = j["tuning"];
    s.tune = {{whole<uint32_t>(t.at("period_ms"), "period_ms"),
               whole<uint32_t>(t.at("minor"), "minor"),
               whole<uint32_t>(t.at("degrade"), "degrade"),
               whole<uint32_t>(t.at("loss"), "loss")},
              positive(stamp_of(t.at("stamp")))};
  }
  if (j.contains("locks"))
    for (auto& [key, l] : j["locks"].items()) {
      if (key != "0" && key != "1")
        throw std::runtime_error("lock of controller " + key);
      s.locks[key == "1"] = {l.at("value").get<bool>(), positive(stamp_of(l.at("stamp")))};
    }
}

std::string describe(const control_state& cs, const std::string& name) {
  auto* h = cs.present(name);
  if (!h)
    return "absent";
  return fmt::format("{} {}{}, {}{}", cfg::to_string(h->type), h->management,
                     h->cluster_host.empty() ? "" : " " + h->cluster_host,
                     h->monitored ? "monitored" : "not monitored",
                     cs.holds(*h) ? "" : " (eclipsed: a newer host holds its address)");
}

} // namespace

bool control_state::load(const std::string& text, std::string& error,
                         std::vector<std::string>& notes) {
  auto s = delta({});
  try {
    read_state(json::parse(text), hosts_, s);
  } catch (const std::exception& e) {
    error = std::string{"not a valid state file: "} + e.what();
    return false;
  }
  auto seed = *this;
  std::vector<std::string> far;
  auto ch = merge(s, error, far, 0, true);
  if (!ch)
    return false;
  for (auto& c : ch->settled)
    notes.push_back(c.why + " (run time and file merged)");
  for (auto& name : ch->hosts)
    notes.push_back(fmt::format("host {}: {} (run time) wins over {} (file)", name,
                                describe(*this, name), describe(seed, name)));
  if (ch->designation)
    notes.push_back(fmt::format("designation {} (run time) wins over {} (file)",
                                designation_.value, seed.designation_.value));
  if (ch->action)
    notes.push_back(fmt::format("failure action {} (run time) wins over {} (file)",
                                cfg::to_string(action_.value),
                                cfg::to_string(seed.action_.value)));
  if (ch->tune) {
    auto show = [](const tuning& t) {
      return fmt::format("period {} ms, thresholds {}/{}/{}", t.period_ms, t.minor, t.degrade,
                         t.loss);
    };
    notes.push_back(fmt::format("{} (run time) wins over {} (file)", show(tune_.value),
                                show(seed.tune_.value)));
  }
  if (ch->own_lock)
    notes.push_back(fmt::format("operator lock {} (run time)", locked(number_) ? "on" : "off"));
  return true;
}

} // namespace hbs
