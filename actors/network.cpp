// The network actor: its period (close, judge, request) and its messages; the response path
// is in network_responses.cpp, the inventory and snapshots in network_inventory.cpp.
#include "actors/network.hpp"

#include "actors/busy_meter.hpp"
#include "actors/readiness.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = network_ptr;

const char* label(self_ptr self) {
  return network_label(self->state);
}

void close_period(self_ptr self) {
  auto& st = self->state;
  auto now_ms = clock_ms(self->clock().now());
  uint32_t expected = 0;
  uint32_t responding = 0;
  auto& sum = st.summary;
  sum.storage0_monitored = false;
  for (size_t i = 0; i < st.slots.size(); ++i) {
    prefetch_ahead_of(st.slots, i);
    auto& slot = st.slots[i];
    if (!slot.att.expected())
      continue;
    ++expected;
    slot.link.note_period(slot.att.answered(), now_ms, st.setup.limits.minor);
    if (slot.storage0) {
      sum.storage0_monitored = true;
      sum.storage0_answered = slot.att.answered();
    }
    if (slot.att.answered()) {
      ++responding;
      continue;
    }
    slot.window = recovery_window(st);
    self->send(st.refs[i].actor, pulse_result{st.setup.net.index, false, 0, st.setup.period_ms});
  }
  st.counters.expected = expected;
  st.counters.responding = responding;
  sum.network = st.setup.net.index;
  sum.enabled = static_cast<uint16_t>(expected);
  sum.responding = static_cast<uint16_t>(responding);
}

void send_request(self_ptr self) {
  auto& st = self->state;
  auto& req = st.request;
  req.sequence = st.sequence;
  req.flags = st.setup.controller_number << wire::controller_shift;
  req.cluster = st.own; // only this controller's histories (§4.4)
  req.clue = 0;
  req.set_name({});
  if (!st.slots.empty()) {
    auto i = st.round_robin++ % st.slots.size();
    req.set_name(st.refs[i].name);
    if (st.refs[i].name.size() < wire::host_name_area)
      req.clue = static_cast<uint32_t>(i + 1);
  }
  auto size = wire::encode_pulse(wire::pulse_kind::request, req, {st.tx.data(), st.tx.size()});
  if (st.setup.auth) // signed once per period: every host gets the same request
    size = st.setup.auth->seal(st.tx.data(), size, st.tx.size(), wire::wall_ms());
  st.fan_out.clear();
  auto port = st.setup.net.client_port;
  for (size_t i = 0; i < st.slots.size(); ++i) {
    prefetch_ahead_of(st.slots, i);
    auto& slot = st.slots[i];
    slot.att.open(st.sequence);
    if (st.setup.net.mode == cfg::net_mode::unicast)
      st.fan_out.push_back({slot.addr, 0, port, static_cast<uint16_t>(size), st.tx.data()});
  }
  if (st.setup.net.mode == cfg::net_mode::multicast && !st.slots.empty())
    st.fan_out.push_back({st.group_addr, 0, port, static_cast<uint16_t>(size), st.tx.data()});
  st.request_sent = self->clock().now();
  st.request_sent_ns = 0;
  st.request_period = st.period;
  st.sent_sequence = st.sequence;
  st.counted_before_request = st.counters.num_counted;
  st.request_complete = true;
  if (st.fan_out.empty())
    return;
  log::trace(log::category::clog3, "network", "{} period start s:{} asking {} host(s)",
             label(self), st.sequence, st.slots.size());
  if (log::enabled(log::category::mlog))
    for (auto& o : st.fan_out)
      log::trace(log::category::mlog, "network", "{} Pulse Req: ({}) {}:{}: s:{} f:{:x} [{}] "
                 "RRI:{}", label(self), o.size, format_ipv4(o.addr), o.port, req.sequence,
                 req.flags, req.name_view(), req.clue);
  // Stamped before the fan-out: a round trip includes the time the agent took to reach
  // that host (~1 µs per host in unicast). Answers read after this period's close carry no
  // stamp when the next period measures none: they are stale then anyway.
  auto period_ms = std::chrono::duration_cast<std::chrono::milliseconds>(st.period).count();
  bool rtt = measures_round_trips(st.slots.size(), period_ms, st.setup.rtt_stamps_per_s,
                                  st.sequence);
  st.setup.socket->stamp_receives(rtt);
  st.request_sent_ns = rtt ? st.setup.socket->clock_ns() : 0;
  auto sent = st.setup.socket->send(st.fan_out.data(), st.fan_out.size());
  st.counters.num_requests += sent;
  if (sent < st.fan_out.size()) {
    st.request_complete = false;
    auto failed = st.fan_out.size() - sent;
    if (st.counters.num_send_errors++ % 100 == 0)
      log::warn("network", "{} request send failed for {} of {} datagrams", label(self), failed,
                st.fan_out.size());
  }
}

int64_t ns(caf::actor_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// Throttled like StarlingX's wlog_throttled: the first, then every hundredth occurrence.
bool worth_logging(uint64_t n) {
  return n == 1 || n % 100 == 0;
}

// True when the closing period can be judged. Otherwise nobody is blamed for it: the agent
// itself did not send in time or could not read what came back.
bool observed(self_ptr self, caf::actor_clock::time_point now) {
  auto& st = self->state;
  // The vault's answer (or its timeout) may not have come before this close: then this
  // period's request never left.
  bool left = st.sent_sequence == st.sequence && st.request_complete;
  auto anyway = st.health.counters().num_judged_anyway;
  auto why = st.health.judge(ns(now) - ns(st.request_sent), st.request_period.count(), left,
                             st.setup.socket->num_kernel_drops());
  if (auto n = st.health.counters().num_judged_anyway; n != anyway && worth_logging(n))
    log::error("network", "{} stalled for {} periods in a row: judging anyway, so a dead host "
               "is still found ({} such period(s))", label(self),
               st.setup.limits.loss, n);
  if (why == stall_reason::none)
    return true;
  auto n = st.health.num_stalled();
  if (worth_logging(n))
    log::warn("network", "{} period s:{} not judged: {} ({} stalled period(s), {} datagram(s) "
              "dropped by the kernel so far)", label(self), st.sequence, to_string(why), n,
              st.health.counters().num_socket_drops);
  return false;
}

void schedule_next(self_ptr self, caf::actor_clock::time_point now) {
  auto& st = self->state;
  if (st.slots.empty()) {
    // Nobody to ask and nothing to record (the vault writes no history for 0 hosts): no
    // timer at all until a host is watched, so an idle agent does not wake 10 times a second.
    st.ticking = false;
    st.started = false;
    st.summary = {};
    st.peer_view_size = 0;
    if (st.setup.progress)
      st.setup.progress->rest(); // idle is not a stall
    log::debug("network", "{} no host to watch: period timer stopped", label(self));
    return;
  }
  auto late_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - st.next_tick);
  auto before = st.health.counters().num_late_ticks;
  auto next = st.health.next_deadline(ns(st.next_tick), ns(now));
  st.next_tick += std::chrono::nanoseconds{next - ns(st.next_tick)};
  auto& c = st.health.counters();
  if (c.num_late_ticks != before && worth_logging(c.num_late_ticks))
    log::warn("network", "{} tick ran {} ms late: the agent could not run in time ({} late "
              "tick(s), {} period(s) skipped so far)", label(self), late_ms.count(),
              c.num_late_ticks, c.num_skipped);
  self->scheduled_send(self, st.next_tick, tick_atom_v);
}

void close_and_send(self_ptr self, caf::actor_clock::time_point now) {
  auto& st = self->state;
  read_responses(self, 1000); // answers already here belong to the period that is closing
  take_peer_view(st);
  if (st.locked) {
    st.started = false; // a locked controller sends nothing and takes no attendance
  } else {
    bool closing = st.started;
    if (closing) {
      if (observed(self, now))
        close_period(self);
      ++st.sequence;
    } else {
      st.health.rebase(st.setup.socket->num_kernel_drops()); // no period was open
    }
    st.started = true;
    if (closing && st.setup.vault && st.slots.empty()) {
      // The last host is gone: the vault gets the closing summary without a round trip,
      // and the timer stops (schedule_next).
      caf::anon_send(st.setup.vault, st.summary);
      st.summary.got_peer = false;
    } else if (closing && st.setup.vault) {
      // The request carries the history this very period produced: ask the vault first.
      // A vault slower than half a period must not delay the heartbeat itself.
      auto sum = st.summary;
      st.summary.got_peer = false;
      // An answer that comes after the next close (or a lock) sends nothing: that period
      // is over and was counted as one whose request did not leave.
      auto seq = st.sequence;
      auto still_due = [=] { return self->state.started && self->state.sequence == seq; };
      self->request(st.setup.vault, st.period / 2, std::move(sum))
        .then([=](wire::cluster_block& own) {
                self->state.own = own;
                busy_meter m{self->state.health};
                if (still_due())
                  send_request(self);
              },
              [=](caf::error&) {
                busy_meter m{self->state.health};
                if (still_due())
                  send_request(self);
              });
    } else {
      send_request(self);
    }
  }
  st.counters.sequence = st.sequence;
  schedule_next(self, now);
}

void tick(self_ptr self) {
  auto now = self->clock().now();
  if (auto& p = self->state.setup.progress) { // three periods late is a stall
    p->allowed_ms = 3 * self->state.setup.period_ms + 1000;
    p->now();
  }
  {
    busy_meter m{self->state.health};
    close_and_send(self, now);
  }
  self->state.health.end_period();
}

} // namespace

uint8_t recovery_window(const network_state& st) {
  auto w = std::max<uint32_t>(pulses_for_recovery, st.setup.limits.loss);
  return static_cast<uint8_t>(std::min<uint32_t>(w, 255));
}

network_actor::behavior_type network_fn(self_ptr self, network_setup s) {
  auto& st = self->state;
  st.setup = std::move(s);
  st.period = std::chrono::milliseconds{st.setup.period_ms};
  st.self_addr = parse_ipv4(st.setup.net.local_address);
  st.group_addr = parse_ipv4(st.setup.net.multicast_group);
  st.counters.network = st.setup.net.index;
  st.counters.mode = st.setup.net.mode == cfg::net_mode::unicast ? "unicast" : "multicast";
  st.counters.local_address = st.setup.net.local_address;
  st.counters.num_malformed.assign(wire::num_decode_errors, 0);
  st.own.period_msec = static_cast<uint16_t>(st.setup.period_ms);
  wake_on_readable<network_actor>(self, *st.setup.socket);
  st.health.set_period(st.period.count());
  st.health.set_patience(st.setup.limits.loss);
  st.next_tick = self->clock().now();
  st.ticking = false; // the first watched host starts the period timer
  if (st.setup.progress)
    st.setup.progress->rest();
  return {
    [=](tick_atom) { tick(self); },
    [=](readable_atom) { on_readable(self); },
    [=](watch_atom, const std::string& name, const std::string& addr, host_actor h) {
      auto& st = self->state;
      watch_host(st, name, addr, std::move(h));
      if (!st.ticking) {
        // The first request leaves one period from now, not at once: the rest of an
        // inventory (thousands of watches at start) arrives meanwhile, so a multicast
        // request is not answered by hosts this network does not expect yet.
        st.ticking = true;
        st.health.forget_busy(); // socket reads while idle belong to no period
        st.next_tick = self->clock().now() + st.period;
        self->scheduled_send(self, st.next_tick, tick_atom_v);
      }
    },
    [=](unwatch_atom, const std::string& name) { unwatch_host(self->state, name); },
    [=](period_atom, uint32_t ms) {
      self->state.setup.period_ms = ms;
      self->state.period = std::chrono::milliseconds{ms};
      self->state.health.set_period(self->state.period.count());
      log::info("network", "{} period now {} ms", label(self), ms);
    },
    [=](history_atom, wire::cluster_block& own) { self->state.own = own; },
    [=](lock_atom, bool locked) {
      self->state.locked = locked;
      log::info("network", "{} {}", label(self), locked ? "locked: no requests"
                                                        : "unlocked: heartbeat resumes");
    },
    [=](status_atom) { return counters_of(self->state, self->clock().now()); },
    [=](hosts_atom) { return host_rows(self->state, self->clock().now()); },
  };
}

} // namespace hbs
