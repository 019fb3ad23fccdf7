// The network actor's inventory and the snapshots hbsctl reads: plain operations on its
// state, kept apart from the per-period path in network.cpp.
#include "actors/network.hpp"

#include "runtime/log.hpp"

namespace hbs {

void watch_host(network_state& st, const std::string& name, const std::string& address,
                host_actor h) {
  auto addr = parse_ipv4(address);
  if (auto it = st.by_name.find(name); it != st.by_name.end()) {
    auto& slot = st.slots[it->second];
    if (st.by_addr.find(slot.addr) == it->second) // a swap may have given it away already
      st.by_addr.erase(slot.addr);
    slot.addr = addr;
    st.refs[it->second].actor = std::move(h);
    st.by_addr.set(addr, it->second);
    return;
  }
  host_slot slot;
  slot.storage0 = name == "storage-0";
  slot.addr = addr;
  slot.window = recovery_window(st);
  st.by_addr.set(addr, st.slots.size());
  st.by_name[name] = st.slots.size();
  st.slots.push_back(std::move(slot));
  st.refs.push_back({name, std::move(h)});
  log::info("network", "{} watching {} at {}", network_label(st), name, address);
}

void unwatch_host(network_state& st, const std::string& name) {
  auto it = st.by_name.find(name);
  if (it == st.by_name.end())
    return;
  auto i = it->second;
  if (st.by_addr.find(st.slots[i].addr) == i) // another host may hold it now
    st.by_addr.erase(st.slots[i].addr);
  st.by_name.erase(it);
  if (i + 1 != st.slots.size()) {
    st.slots[i] = std::move(st.slots.back());
    st.refs[i] = std::move(st.refs.back());
    st.by_addr.set(st.slots[i].addr, i);
    st.by_name[st.refs[i].name] = i;
  }
  st.slots.pop_back();
  st.refs.pop_back();
  log::info("network", "{} no longer watching {}", network_label(st), name);
}

namespace {

link_row row_of(const link_figures& f) {
  return {f.rtt_p50_us, f.rtt_p99_us, f.rtt_max_us, f.num_rtt, f.loss_1m_pct, f.loss_1h_pct,
          f.num_flaps};
}

} // namespace

network_counters counters_of(const network_state& st, caf::actor_clock::time_point now) {
  auto c = st.counters;
  std::array<uint32_t, link_quality::num_buckets> rtt{};
  for (auto& slot : st.slots)
    slot.link.add_histogram(rtt, c.rtt_max_us, clock_ms(now));
  c.rtt_buckets.assign(rtt.begin(), rtt.end());
  c.period_ms = st.setup.period_ms;
  c.auth_mode = wire::to_string(st.setup.auth ? st.setup.auth->mode : wire::auth_mode::off);
  auto& h = st.health.counters();
  c.num_judged = h.num_judged;
  c.num_stalled_short = h.num_stalled_short;
  c.num_stalled_overflow = h.num_stalled_overflow;
  c.num_stalled_send = h.num_stalled_send;
  c.num_judged_anyway = h.num_judged_anyway;
  c.num_late_ticks = h.num_late_ticks;
  c.num_skipped_periods = h.num_skipped;
  c.num_socket_drops = h.num_socket_drops;
  c.max_lateness_ms = h.max_lateness_ns / 1'000'000;
  auto b = st.health.busy();
  c.busy_p50_us = b.p50_us;
  c.busy_p99_us = b.p99_us;
  c.busy_max_us = b.max_us;
  auto cpu = st.health.busy_cpu();
  c.busy_cpu_p50_us = cpu.p50_us;
  c.busy_cpu_p99_us = cpu.p99_us;
  c.busy_cpu_max_us = cpu.max_us;
  auto& hist = st.health.busy_since_start();
  c.busy_counts.assign(hist.counts.begin(), hist.counts.end());
  c.busy_sum_us = hist.sum_us;
  return c;
}

std::vector<net_host_row> host_rows(const network_state& st, caf::actor_clock::time_point now) {
  std::vector<net_host_row> rows;
  rows.reserve(st.slots.size());
  for (size_t i = 0; i < st.slots.size(); ++i) {
    auto& slot = st.slots[i];
    net_host_row r{st.refs[i].name, slot.num_pulses, -1, slot.answered_ever ? slot.last_flags : 0,
                   row_of(slot.link.figures(clock_ms(now)))};
    if (slot.answered_ever)
      r.last_response_age_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 now - slot.last_response).count();
    rows.push_back(std::move(r));
  }
  return rows;
}

} // namespace hbs
