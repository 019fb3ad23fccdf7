#include "actors/mnfa_logic.hpp"

#include <algorithm>

namespace hbs {

const char* to_string(mnfa_step s) {
  switch (s) {
    case mnfa_step::none: return "none";
    case mnfa_step::enter: return "enter";
    case mnfa_step::exit_graceful: return "exit_graceful";
    case mnfa_step::exit_forced: return "exit_forced";
    case mnfa_step::cancel: return "cancel";
    case mnfa_step::left_pool: return "left_pool";
  }
  return "unknown";
}

uint32_t mnfa_logic::threshold(size_t monitored) const {
  if (config_.threshold_percent == 0)
    return config_.threshold;
  // Like a Kubernetes zone disruption threshold: a share of the monitored hosts, never < 2.
  auto share = (config_.threshold_percent * monitored + 99) / 100;
  return static_cast<uint32_t>(std::max<size_t>(2, share));
}

bool mnfa_logic::in_any_tally(const std::string& host) const {
  return tally_[0].count(host) || tally_[1].count(host);
}

mnfa_decision mnfa_logic::add(const std::string& host, uint8_t network, size_t monitored) {
  mnfa_decision d;
  auto& t = tally_[network & 1];
  if (!t.insert(host).second)
    return d;
  d.network = network;
  d.tally = static_cast<uint32_t>(t.size());
  d.threshold = threshold(monitored);
  if (active_) {
    pool_.insert(host);
    return d;
  }
  if (t.size() < d.threshold)
    return d;
  active_ = true;
  ++occurrences_;
  for (auto& tally : tally_)
    pool_.insert(tally.begin(), tally.end());
  d.step = mnfa_step::enter;
  d.hosts.assign(pool_.begin(), pool_.end());
  return d;
}

mnfa_decision mnfa_logic::leave(mnfa_step step) {
  mnfa_decision d;
  d.step = step;
  d.hosts.assign(pool_.begin(), pool_.end());
  for (auto& h : pool_) {
    if (!in_any_tally(h))
      continue;
    d.still_missing.push_back(h);
    if (lost_.count(h))
      d.still_lost.push_back(h);
  }
  active_ = false;
  pool_.clear();
  lost_.clear();
  for (auto& t : tally_)
    t.clear();
  return d;
}

mnfa_decision mnfa_logic::remove(const std::string& host, uint8_t network, size_t monitored) {
  mnfa_decision d;
  auto& t = tally_[network & 1];
  if (!t.erase(host))
    return d;
  d.network = network;
  d.tally = static_cast<uint32_t>(t.size());
  d.threshold = threshold(monitored);
  if (!active_)
    return d;
  if (tally_[0].size() < d.threshold && tally_[1].size() < d.threshold) {
    auto out = leave(mnfa_step::exit_graceful);
    out.network = network;
    out.tally = d.tally;
    out.threshold = d.threshold;
    return out;
  }
  if (!in_any_tally(host) && pool_.erase(host)) {
    lost_.erase(host);
    d.step = mnfa_step::left_pool;
    d.hosts = {host};
  }
  return d;
}

bool mnfa_logic::note_loss(const std::string& host) {
  if (!active_)
    return false;
  lost_.insert(host);
  return true;
}

mnfa_decision mnfa_logic::timeout() {
  if (!active_)
    return {};
  return leave(mnfa_step::exit_forced);
}

mnfa_decision mnfa_logic::cancel() {
  if (!active_)
    return {};
  return leave(mnfa_step::cancel);
}

void mnfa_logic::adopt() {
  if (active_)
    return;
  active_ = true;
  for (auto& tally : tally_)
    pool_.insert(tally.begin(), tally.end());
}

void mnfa_logic::forget(const std::string& host) {
  for (auto& t : tally_)
    t.erase(host);
  pool_.erase(host);
  lost_.erase(host);
}

} // namespace hbs
