#include "actors/cluster_history.hpp"

#include <cstdlib>

namespace hbs {

namespace {

const char* net_label(uint8_t n) {
  return n == 0 ? "Mgmnt" : "Clstr";
}

// The §4.3 comparison: entries where enabled != responding, per copy.
int unhealthy_entries(const wire::history& h) {
  int n = 0;
  for (auto& e : h.ring)
    n += e.enabled != e.responding;
  return n;
}

} // namespace

cluster_history::cluster_history(uint8_t controller, uint16_t period_ms)
  : controller_(controller) {
  vault_.period_msec = period_ms;
}

void cluster_history::add_reason(const std::string& reason) {
  if (!reasons_.empty())
    reasons_ += ", ";
  reasons_ += reason;
}

std::string cluster_history::take_reasons() {
  std::string out;
  out.swap(reasons_);
  return out;
}

const wire::history* cluster_history::find(uint8_t controller, uint8_t network) const {
  for (uint8_t i = 0; i < vault_.num_histories; ++i)
    if (vault_.histories[i].controller == controller && vault_.histories[i].network == network)
      return &vault_.histories[i];
  return nullptr;
}

wire::history* cluster_history::find_or_create(uint8_t controller, uint8_t network,
                                               bool& created) {
  created = false;
  if (auto* h = find(controller, network))
    return const_cast<wire::history*>(h);
  if (vault_.num_histories >= wire::max_histories)
    return nullptr;
  auto& h = vault_.histories[vault_.num_histories++];
  h = wire::history{};
  h.controller = controller;
  h.network = network;
  created = true;
  return &h;
}

wire::cluster_block cluster_history::own_block() const {
  wire::cluster_block out = vault_;
  out.num_histories = 0;
  out.reqid = 0;
  for (uint8_t i = 0; i < vault_.num_histories; ++i)
    if (vault_.histories[i].controller == controller_)
      out.histories[out.num_histories++] = vault_.histories[i];
  return out;
}

void cluster_history::save_peer(const wire::cluster_block& in) {
  bool any = false;
  for (uint8_t i = 0; i < in.num_histories; ++i) {
    auto& theirs = in.histories[i];
    if (theirs.controller == controller_ || theirs.network > 1)
      continue;
    any = true;
    bool created = false;
    auto* mine = find_or_create(theirs.controller, theirs.network, created);
    if (!mine)
      continue;
    if (created)
      add_reason(std::string{"peer controller cluster "} + net_label(theirs.network));
    else if (std::abs(unhealthy_entries(*mine) - unhealthy_entries(theirs)) != 0)
      add_reason(std::string{"peer cluster delta "} + net_label(theirs.network));
    *mine = theirs;
  }
  if (!any)
    return;
  got_peer_this_period_ = true;
  if (peer_missing_) {
    peer_missing_ = false;
    add_reason("receiving peer controller view");
  }
}

void cluster_history::inject_peer_zeros() {
  bool changed = false;
  for (uint8_t i = 0; i < vault_.num_histories; ++i) {
    auto& h = vault_.histories[i];
    if (h.controller == controller_)
      continue;
    auto& slot = h.ring[h.oldest % wire::history_entries];
    if (slot.enabled != 0 || slot.responding != 0) {
      slot = {};
      changed = true;
    }
    h.oldest = static_cast<uint16_t>((h.oldest + 1) % wire::history_entries);
  }
  peer_missing_ = true;
  if (changed)
    add_reason("missing peer controller view");
}

void cluster_history::track_storage0(const period_summary& s, wire::history& h) {
  auto n = s.network & 1;
  if (!s.storage0_monitored) {
    h.storage0_responding = false;
    storage0_misses_[n] = 0;
    return;
  }
  if (s.storage0_answered) {
    h.storage0_responding = true;
    storage0_misses_[n] = 0;
  } else if (++storage0_misses_[n] >= storage0_miss_threshold) {
    h.storage0_responding = false;
  }
}

void cluster_history::close_period(const period_summary& s, bool sm_heartbeat_fail) {
  if (locked_)
    return;
  if (s.storage0_monitored != storage0_seen_[s.network & 1]) {
    storage0_seen_[s.network & 1] = s.storage0_monitored;
    vault_.storage0_enabled = s.storage0_monitored;
    add_reason("storage-0 state change");
  }
  if (s.got_peer)
    save_peer(s.peer);
  if (s.network == 0) {
    if (!got_peer_this_period_ && peer_enabled_)
      inject_peer_zeros();
    got_peer_this_period_ = false;
  }
  if (s.enabled == 0)
    return;
  bool created = false;
  auto* h = find_or_create(controller_, s.network, created);
  if (!h)
    return;
  h->sm_heartbeat_fail = sm_heartbeat_fail;
  track_storage0(s, *h);
  h->append({s.enabled, s.responding});
}

void cluster_history::set_locked(bool locked) {
  if (locked == locked_)
    return;
  locked_ = locked;
  if (locked) {
    for (auto& h : vault_.histories)
      h = wire::history{};
    vault_.num_histories = 0;
    add_reason("this controller locked");
  }
}

void sm_heartbeat::beat(int64_t now_ms) {
  if (failing_ && count_ == 0)
    recovery_start_ = now_ms;
  last_beat_ = now_ms;
  ++count_;
}

bool sm_heartbeat::evaluate(int64_t now_ms) {
  constexpr int64_t loss_ms = 800;
  constexpr int64_t interval_ms = 100;
  constexpr uint32_t recovery_beats = 16;
  if (now_ms - last_beat_ > loss_ms) {
    count_ = 0;
    ++num_misses_;
    failing_ = true;
  } else if (failing_) {
    int64_t expected = (now_ms - recovery_start_) / interval_ms - 1;
    if (static_cast<int64_t>(count_) < expected) {
      count_ = 1; // interrupted: the beats were not steady, start counting again
      recovery_start_ = last_beat_;
    } else if (count_ >= recovery_beats) {
      failing_ = false;
      count_ = 0;
    }
  }
  return failing_;
}

} // namespace hbs
