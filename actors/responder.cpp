#include "actors/responder.hpp"

#include "actors/readiness.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = responder_actor::stateful_pointer<responder_state>;

uint32_t current_flags(const responder_state& st) {
  uint32_t f = 0;
  if (st.pmond_alive)
    f |= wire::pmond_flag;
  if (st.setup.cluster_host_provisioned)
    f |= wire::cluster_host_flag;
  return f;
}

void count_drop(self_ptr self, const datagram& d, wire::auth_result r) {
  auto& st = self->state;
  auto& n = r == wire::auth_result::bad_mac  ? st.num_bad_mac
            : r == wire::auth_result::replayed ? st.num_replayed
                                               : st.num_unsigned;
  if (n++ % 1000 == 0)
    log::warn("responder", "{} dropped a request from {}: {} signature ({} so far)",
              cfg::network_label(st.setup.net.index), format_ipv4(d.addr), wire::to_string(r),
              n);
}

// A request signed wrong, too old, or (require) not at all is dropped, counted and logged.
// signed_at: the time stamp of a valid signature, else -1.
bool admitted(self_ptr self, const datagram& d, size_t& size, int64_t& signed_at) {
  auto& st = self->state;
  size = std::min<size_t>(d.size, d.data.size() + 1); // over the buffer: the decoder refuses
  signed_at = -1;
  if (!st.setup.auth)
    return true;
  wire::auth_result r;
  if (st.setup.auth->admit(d.data.data(), std::min<size_t>(d.size, d.data.size()),
                           wire::wall_ms(), size, r, &signed_at)) {
    st.num_unsigned += r == wire::auth_result::none;
    if (r != wire::auth_result::valid)
      signed_at = -1;
    return true;
  }
  count_drop(self, d, r);
  return false;
}

// A signed request no newer than the last one taken from its sender: a replay.
bool replayed(self_ptr self, const datagram& d, int64_t signed_at) {
  auto& st = self->state;
  if (signed_at < 0
      || st.replays.fresh(d.addr, st.request.sequence, signed_at, wire::wall_ms(),
                          st.setup.auth->max_skew_ms))
    return false;
  count_drop(self, d, wire::auth_result::replayed);
  return true;
}

// Decodes and answers one request into out slot i; false when it is dropped.
bool answer(self_ptr self, const datagram& d, size_t i) {
  auto& st = self->state;
  auto label = cfg::network_label(st.setup.net.index);
  ++st.num_requests;
  size_t in_size = 0;
  int64_t signed_at = -1;
  if (!admitted(self, d, in_size, signed_at))
    return false;
  auto err = wire::decode_pulse(wire::pulse_kind::request, {d.data.data(), in_size},
                                st.request);
  if (err != wire::decode_error::none) {
    auto& n = st.num_malformed[static_cast<size_t>(err)];
    if (n++ % 1000 == 0)
      log::warn("responder", "{} dropped malformed request from {} ({}, {} so far)", label,
                format_ipv4(d.addr), wire::to_string(err), n);
    return false;
  }
  if (replayed(self, d, signed_at))
    return false;
  auto res = st.cross->respond(st.request, current_flags(st), st.response);
  if (log::enabled(log::category::mlog))
    log::trace(log::category::mlog, "responder", "{} Pulse Req: ({}) {}:{}: s:{} f:{:x} [{}] "
               "RRI:{}", label, d.size, format_ipv4(d.addr), d.port, st.request.sequence,
               st.request.flags, st.request.name_view(), st.request.clue);
  if (res.outcome == cross_outcome::crossed || res.outcome == cross_outcome::echoed)
    log::trace(log::category::clog1, "responder", "controller-{} {} cluster info cached",
               st.request.controller(), label);
  if (log::enabled(log::category::clog2))
    for (uint8_t i = 0; i < st.response.cluster.num_histories; ++i) {
      auto& h = st.response.cluster.histories[i];
      log::trace(log::category::clog2, "responder", "{} response carries C{} {} newest {}:{} "
                 "({} entries)", label, int{h.controller}, h.network ? "Clstr" : "Mgmnt",
                 h.newest().enabled, h.newest().responding, h.entries);
    }
  if (res.clue_changed)
    log::info("responder", "{} Caching New RRI {} from controller-{}", label, st.response.clue,
              st.request.controller());
  if (res.outcome == cross_outcome::no_history && st.num_no_history++ % 5000 == 0)
    log::info("responder", "controller-{} {} providing no cluster history",
              st.request.controller(), label);
  if (res.outcome == cross_outcome::stale_cleared)
    log::info("responder", "controller-{} {} cluster info cleared", st.request.controller() ^ 1,
              label);
  auto size = wire::encode_pulse(wire::pulse_kind::response, st.response,
                                 {st.tx[i].data(), st.tx[i].size()});
  if (st.setup.auth && size > 0)
    size = st.setup.auth->seal(st.tx[i].data(), size, st.tx[i].size(), wire::wall_ms());
  st.out[i] = {d.addr, 0, st.setup.net.agent_port, static_cast<uint16_t>(size), st.tx[i].data()};
  return size > 0;
}

void serve(self_ptr self) {
  auto& st = self->state;
  for (int batches = 0; batches < 1000; ++batches) {
    auto n = st.setup.socket->receive(st.rx.data(), st.rx.size());
    size_t replies = 0;
    for (size_t i = 0; i < n; ++i)
      if (answer(self, st.rx[i], replies))
        ++replies;
    if (replies > 0) {
      auto sent = st.setup.socket->send(st.out.data(), replies);
      st.num_replies += sent;
      if (sent < replies && st.num_send_errors++ % 100 == 0)
        log::warn("responder", "{} could not send {} of {} responses",
                  cfg::network_label(st.setup.net.index), replies - sent, replies);
    }
    if (n < st.rx.size())
      return;
  }
}

} // namespace

responder_actor::behavior_type responder_fn(self_ptr self, responder_setup s) {
  auto& st = self->state;
  st.setup = std::move(s);
  st.cross.emplace(st.setup.host);
  wake_on_readable<responder_actor>(self, *st.setup.socket);
  return {
    [=](readable_atom) {
      serve(self);
      self->state.setup.socket->rearm();
    },
    [=](pmond_atom, bool alive) {
      if (alive != self->state.pmond_alive)
        log::info("responder", "{} process monitor {}",
                  cfg::network_label(self->state.setup.net.index), alive ? "alive" : "silent");
      self->state.pmond_alive = alive;
    },
  };
}

} // namespace hbs
