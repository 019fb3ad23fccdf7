// The network actor's response path: answers read in batches, checked, counted for their
// host; kept apart from the period's close and request in network.cpp.
#include "actors/network.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <tuple>

#include "actors/busy_meter.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

// True when a response carries a history of the other controller (its view of the cluster).
bool has_peer_view(const network_state& st, const wire::pulse& rsp) {
  if (rsp.version < 1)
    return false;
  for (uint8_t i = 0; i < rsp.cluster.num_histories; ++i)
    if (rsp.cluster.histories[i].controller != st.setup.controller_number)
      return true;
  return false;
}

// The latest view is enough for the period: its bytes are kept (the batch's buffer is read
// over) and decoded once at the close. `size`: the response without its signature, checked.
void keep_peer_history(network_state& st, const datagram& d, size_t size) {
  auto n = std::min(size - wire::pulse_header_size, st.peer_view.size());
  std::memcpy(st.peer_view.data(), d.data.data() + wire::pulse_header_size, n);
  st.peer_view_size = n;
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
size_t note_response(network_ptr self, const datagram& d, std::optional<size_t> index,
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
      log::warn("network", "{} dropped malformed response from {} ({}, {} so far)",
                network_label(st), format_ipv4(d.addr), wire::to_string(err), n);
    return 0;
  }
  auto& rsp = st.response;
  if (log::enabled(log::category::mlog))
    log::trace(log::category::mlog, "network", "{} Pulse Rsp: ({}) {}:{}: s:{} f:{:x} [{}] RRI:{}",
               network_label(st), d.size, format_ipv4(d.addr), d.port, rsp.sequence, rsp.flags,
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
                network_label(st), format_ipv4(d.addr), c.num_unknown_source);
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
    self->send(st.refs[*index].actor,
               pulse_result{st.setup.net.index, true, rsp.flags, st.setup.period_ms});
  }
  // Only a response counted for its host carries the view SM reads: StarlingX also keeps
  // stale ones (§4.3), but then a replayed old response rewrites the peer's history.
  return has_peer_view(st, rsp) ? size : 0;
}

} // namespace

void take_peer_view(network_state& st) {
  if (st.peer_view_size == 0)
    return;
  if (wire::decode_cluster({st.peer_view.data(), st.peer_view_size}, st.summary.peer,
                           wire::trailing::ignored) == wire::decode_error::none)
    st.summary.got_peer = true;
  st.peer_view_size = 0;
}

bool read_responses(network_ptr self, int max_batches, size_t* read) {
  auto& st = self->state;
  for (int batches = 0; batches < max_batches; ++batches) {
    auto n = st.setup.socket->receive(st.rx.data(), st.rx.size());
    if (read)
      *read += n;
    auto now = n > 0 ? self->clock().now() : caf::actor_clock::time_point{};
    // What a batch's answers touch is loaded in stages, each stage's misses overlapping
    // before the next needs them: the address table's lines, then the hosts' slots, then
    // (in periods that measure them) the round-trip slices. Each is cold when its answer
    // arrives (one per host and period).
    std::array<std::optional<size_t>, std::tuple_size_v<decltype(st.rx)>> index;
    for (size_t i = 0; i < n; ++i)
      st.by_addr.prefetch(st.rx[i].addr);
    for (size_t i = 0; i < n; ++i)
      if ((index[i] = st.by_addr.find(st.rx[i].addr)))
        __builtin_prefetch(&st.slots[*index[i]], 1);
    if (n > 0 && st.rx[0].rx_ns > 0 && st.request_sent_ns > 0) {
      auto now_ms = clock_ms(now);
      for (size_t i = 0; i < n; ++i)
        if (index[i])
          st.slots[*index[i]].link.prefetch_rtt(now_ms);
    }
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

namespace {

// Answers this period's request still awaits (hosts that have not answered it yet).
size_t answers_due(const network_state& st) {
  auto got = st.counters.num_counted - st.counted_before_request;
  return got < st.slots.size() ? st.slots.size() - got : 0;
}

} // namespace

void on_readable(network_ptr self) {
  auto& st = self->state;
  busy_meter m{st.health};
  size_t read = 0;
  auto now = self->clock().now();
  // A burst is read in slices so other actors (the vault, hbsctl queries) get a thread in
  // between.
  if (!read_responses(self, 8, &read)) {
    self->send(self, readable_atom_v);
  } else if (in_stream(read, answers_due(st)) && now - st.last_rearm < st.period) {
    if (!st.setup.socket->rearm_after(stream_pause)) // no timer of its own: CAF's clock
      self->delayed_send(self, stream_pause, readable_atom_v);
  } else {
    st.last_rearm = now;
    st.setup.socket->rearm();
  }
}

} // namespace hbs
