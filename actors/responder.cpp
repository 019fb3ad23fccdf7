#include "actors/responder.hpp"

#include "runtime/log.hpp"

namespace hbs {

responder::responder(responder_setup s) : setup_(std::move(s)), cross_(setup_.host) {}

void responder::set_pmond_alive(bool alive) {
  if (pmond_alive_.exchange(alive) != alive)
    log::info("responder", "{} process monitor {}", cfg::network_label(setup_.net.index),
              alive ? "alive" : "silent");
}

uint32_t responder::current_flags() const {
  uint32_t f = 0;
  if (pmond_alive_.load(std::memory_order_relaxed))
    f |= wire::pmond_flag;
  if (setup_.cluster_host_provisioned)
    f |= wire::cluster_host_flag;
  return f;
}

void responder::count_drop(const datagram& d, wire::auth_result r) {
  auto& n = r == wire::auth_result::bad_mac  ? c_.num_bad_mac
            : r == wire::auth_result::replayed ? c_.num_replayed
                                               : c_.num_unsigned;
  if (n++ % 1000 == 0)
    log::warn("responder", "{} dropped a request from {}: {} signature ({} so far)",
              cfg::network_label(setup_.net.index), format_ipv4(d.addr), wire::to_string(r),
              n);
}

// A request signed wrong, too old, or (require) not at all is dropped, counted and logged.
// signed_at: the time stamp of a valid signature, else -1.
bool responder::admitted(const datagram& d, size_t& size, int64_t& signed_at) {
  size = std::min<size_t>(d.size, d.data.size() + 1); // over the buffer: the decoder refuses
  signed_at = -1;
  if (!setup_.auth)
    return true;
  wire::auth_result r;
  if (setup_.auth->admit(d.data.data(), std::min<size_t>(d.size, d.data.size()),
                         wire::wall_ms(), size, r, &signed_at)) {
    c_.num_unsigned += r == wire::auth_result::none;
    if (r != wire::auth_result::valid)
      signed_at = -1;
    return true;
  }
  count_drop(d, r);
  return false;
}

// A signed request no newer than the last one taken from its sender: a replay.
bool responder::replayed(const datagram& d, int64_t signed_at) {
  if (signed_at < 0
      || replays_.fresh(d.addr, request_.sequence, signed_at, wire::wall_ms(),
                        setup_.auth->max_skew_ms))
    return false;
  count_drop(d, wire::auth_result::replayed);
  return true;
}

void responder::log_cross(const datagram& d, const cross_result& res) {
  auto label = cfg::network_label(setup_.net.index);
  if (log::enabled(log::category::mlog))
    log::trace(log::category::mlog, "responder", "{} Pulse Req: ({}) {}:{}: s:{} f:{:x} [{}] "
               "RRI:{}", label, d.size, format_ipv4(d.addr), d.port, request_.sequence,
               request_.flags, request_.name_view(), request_.clue);
  if (res.outcome == cross_outcome::crossed || res.outcome == cross_outcome::echoed)
    log::trace(log::category::clog1, "responder", "controller-{} {} cluster info cached",
               request_.controller(), label);
  if (log::enabled(log::category::clog2))
    for (uint8_t i = 0; i < response_.cluster.num_histories; ++i) {
      auto& h = response_.cluster.histories[i];
      log::trace(log::category::clog2, "responder", "{} response carries C{} {} newest {}:{} "
                 "({} entries)", label, int{h.controller}, h.network ? "Clstr" : "Mgmnt",
                 h.newest().enabled, h.newest().responding, h.entries);
    }
  if (res.clue_changed)
    log::info("responder", "{} Caching New RRI {} from controller-{}", label, response_.clue,
              request_.controller());
  if (res.outcome == cross_outcome::no_history && c_.num_no_history++ % 5000 == 0)
    log::info("responder", "controller-{} {} providing no cluster history",
              request_.controller(), label);
  if (res.outcome == cross_outcome::stale_cleared)
    log::info("responder", "controller-{} {} cluster info cleared", request_.controller() ^ 1,
              label);
}

// Decodes and answers one request into out slot i; false when it is dropped.
bool responder::answer(const datagram& d, size_t i) {
  ++c_.num_requests;
  size_t in_size = 0;
  int64_t signed_at = -1;
  if (!admitted(d, in_size, signed_at))
    return false;
  auto err = wire::decode_pulse(wire::pulse_kind::request, {d.data.data(), in_size}, request_);
  if (err != wire::decode_error::none) {
    auto& n = c_.num_malformed[static_cast<size_t>(err)];
    if (n++ % 1000 == 0)
      log::warn("responder", "{} dropped malformed request from {} ({}, {} so far)",
                cfg::network_label(setup_.net.index), format_ipv4(d.addr),
                wire::to_string(err), n);
    return false;
  }
  if (replayed(d, signed_at))
    return false;
  log_cross(d, cross_.respond(request_, current_flags(), response_));
  auto size = wire::encode_pulse(wire::pulse_kind::response, response_,
                                 {tx_[i].data(), tx_[i].size()});
  if (setup_.auth && size > 0)
    size = setup_.auth->seal(tx_[i].data(), size, tx_[i].size(), wire::wall_ms());
  out_[i] = {d.addr, 0, setup_.net.agent_port, static_cast<uint16_t>(size), tx_[i].data()};
  return size > 0;
}

void responder::serve() {
  for (int batches = 0; batches < 1000; ++batches) {
    auto n = setup_.socket->receive(rx_.data(), rx_.size());
    size_t replies = 0;
    for (size_t i = 0; i < n; ++i)
      if (answer(rx_[i], replies))
        ++replies;
    if (replies > 0) {
      auto sent = setup_.socket->send(out_.data(), replies);
      c_.num_replies += sent;
      if (sent < replies && c_.num_send_errors++ % 100 == 0)
        log::warn("responder", "{} could not send {} of {} responses",
                  cfg::network_label(setup_.net.index), replies - sent, replies);
    }
    if (n < rx_.size())
      return;
  }
}

} // namespace hbs
