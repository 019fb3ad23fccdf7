#include "actors/network.hpp"

#include <array>
#include <ctime>
#include <optional>
#include <tuple>

#include "actors/readiness.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = network_actor::stateful_pointer<network_state>;

const char* label(self_ptr self) {
  return cfg::network_label(self->state.setup.net.index);
}

// True when a response carries a history of the other controller (its view of the cluster).
bool has_peer_view(const network_state& st, const wire::pulse& rsp) {
  if (rsp.version < 1)
    return false;
  for (uint8_t i = 0; i < rsp.cluster.num_histories; ++i)
    if (rsp.cluster.histories[i].controller != st.setup.controller_number)
      return true;
  return false;
}

// The latest view of a batch is enough for the period: one block decoded per batch, not per
// response (issue 16 §2). `size`: the response without its signature, already checked.
void keep_peer_history(network_state& st, const datagram& d, size_t size) {
  if (wire::decode_cluster({d.data.data() + wire::pulse_header_size,
                            size - wire::pulse_header_size},
                           st.summary.peer, wire::trailing::ignored) == wire::decode_error::none)
    st.summary.got_peer = true;
}

// A signature that is wrong or too old drops the response; in require mode so does none.
bool admitted(network_state& st, const datagram& d, size_t& size) {
  size = std::min<size_t>(d.size, d.data.size() + 1); // over the buffer: the decoder refuses it
  if (!st.setup.auth)
    return true;
  wire::auth_result r;
  bool ok = st.setup.auth->admit(d.data.data(), std::min<size_t>(d.size, d.data.size()),
                                 wire::wall_ms(), size, r);
  auto& c = st.counters;
  c.num_unsigned += r == wire::auth_result::none;
  c.num_bad_mac += r == wire::auth_result::bad_mac;
  c.num_replayed += r == wire::auth_result::replayed;
  return ok;
}

// now: when the batch holding `d` was read (a clock read per datagram was 3 % of the
// agent's samples at 10,000 hosts; a batch is read in one system call). Returns the size of a
// counted response that carries the peer's view, else 0.
// index: the slot of the datagram's source address, looked up by the caller.
size_t note_response(self_ptr self, const datagram& d, std::optional<size_t> index,
                     caf::actor_clock::time_point now) {
  auto& st = self->state;
  auto& c = st.counters;
  ++c.num_responses;
  size_t size = 0;
  if (!admitted(st, d, size))
    return 0;
  auto err = wire::decode_pulse(wire::pulse_kind::response, {d.data.data(), size},
                                st.response, wire::rings::skipped);
  if (err != wire::decode_error::none) {
    auto& n = c.num_malformed[static_cast<size_t>(err)];
    if (n++ % 1000 == 0)
      log::warn("network", "{} dropped malformed response from {} ({}, {} so far)", label(self),
                format_ipv4(d.addr), wire::to_string(err), n);
    return 0;
  }
  auto& rsp = st.response;
  if (log::enabled(log::category::mlog))
    log::trace(log::category::mlog, "network", "{} Pulse Rsp: ({}) {}:{}: s:{} f:{:x} [{}] RRI:{}",
               label(self), d.size, format_ipv4(d.addr), d.port, rsp.sequence, rsp.flags,
               rsp.name_view(), rsp.clue);
  if (rsp.controller() != st.setup.controller_number) {
    ++c.num_wrong_controller;
    return 0;
  }
  if (!index) {
    if (d.addr == st.self_addr)
      ++c.num_self;
    else if (c.num_unknown_source++ % 1000 == 0)
      log::info("network", "{} Pulse Dis: response from {} not in inventory ({} so far)",
                label(self), format_ipv4(d.addr), c.num_unknown_source);
    return 0;
  }
  auto& slot = st.slots[*index];
  switch (slot.att.note(rsp.sequence)) {
    case receipt::stale: ++c.num_stale; return 0;
    case receipt::duplicate: ++c.num_duplicates; return 0;
    case receipt::counted: break;
  }
  ++c.num_counted;
  ++slot.num_pulses;
  slot.answered_ever = true;
  slot.last_response = now;
  if (d.rx_ns > 0 && st.request_sent_ns > 0 && rsp.sequence == st.sent_sequence)
    slot.link.note_rtt((d.rx_ns - st.request_sent_ns) / 1000, clock_ms(slot.last_response));
  bool flags_changed = rsp.flags != slot.last_flags;
  slot.last_flags = rsp.flags;
  if (slot.window > 0 || flags_changed) {
    if (slot.window > 0)
      --slot.window;
    self->send(slot.actor,
               pulse_result{st.setup.net.index, true, rsp.flags, st.setup.period_ms});
  }
  // Only a response counted for its host carries the view SM reads: StarlingX also keeps
  // stale ones (§4.3), but then a replayed old response rewrites the peer's history.
  return has_peer_view(st, rsp) ? size : 0;
}

int64_t thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Real (not actor) clocks: how long a handler kept a scheduler thread, and how much of that
// the thread ran, for the busy figures.
struct busy_meter {
  local_health& h;
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  int64_t cpu0 = thread_cpu_ns();
  ~busy_meter() {
    h.note_busy(std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::steady_clock::now() - t0).count(), thread_cpu_ns() - cpu0);
  }
};

// Reads up to max_batches x 64 datagrams; true when the socket is empty. read: how many.
bool drain(self_ptr self, int max_batches = 1000, size_t* read = nullptr) {
  auto& st = self->state;
  for (int batches = 0; batches < max_batches; ++batches) {
    auto n = st.setup.socket->receive(st.rx.data(), st.rx.size());
    if (read)
      *read += n;
    auto now = n > 0 ? self->clock().now() : caf::actor_clock::time_point{};
    // The batch's slots are looked up first and start loading before they are needed: a
    // slot's line is cold when its answer arrives (one per host and period).
    std::array<std::optional<size_t>, std::tuple_size_v<decltype(st.rx)>> index;
    for (size_t i = 0; i < n; ++i)
      if ((index[i] = st.by_addr.find(st.rx[i].addr)))
        __builtin_prefetch(&st.slots[*index[i]], 1);
    size_t peer_view = n, peer_size = 0;
    for (size_t i = 0; i < n; ++i)
      if (auto size = note_response(self, st.rx[i], index[i], now); size > 0) {
        peer_view = i;
        peer_size = size;
      }
    if (peer_view < n)
      keep_peer_history(st, st.rx[peer_view], peer_size);
    if (n < st.rx.size())
      return true;
  }
  return false;
}

// A stream of answers is read again after stream_pause (network.hpp), not re-armed per
// handful.
void on_readable(self_ptr self) {
  auto& st = self->state;
  busy_meter m{st.health};
  size_t read = 0;
  auto now = self->clock().now();
  // A burst is read in slices so other actors (the vault, hbsctl queries) get a thread in
  // between.
  if (!drain(self, 8, &read)) {
    self->send(self, readable_atom_v);
  } else if (read >= stream_read && now - st.last_rearm < st.period) {
    self->delayed_send(self, stream_pause, readable_atom_v);
  } else {
    st.last_rearm = now;
    st.setup.socket->rearm();
  }
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
    self->send(slot.actor, pulse_result{st.setup.net.index, false, 0, st.setup.period_ms});
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
    req.set_name(st.slots[i].name);
    if (st.slots[i].name.size() < wire::host_name_area)
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
  bool rtt = measures_round_trips(st.slots.size(), st.setup.rtt_every_period_below,
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
  drain(self); // answers already here belong to the period that is closing
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
