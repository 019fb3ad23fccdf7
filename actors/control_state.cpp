// The control state's seed, clock, lookups and snapshot checks (merging:
// control_state_merge.cpp; control.json: control_state_file.cpp).
#include "actors/control_state.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace hbs {

namespace {

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

} // namespace hbs
