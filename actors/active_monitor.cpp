#include "actors/active_monitor.hpp"

#include "runtime/log.hpp"

namespace hbs {

namespace {
constexpr uint32_t loopback = 0x7f000001; // 127.0.0.1: where pmond hears the answers
} // namespace

void active_monitor::drain() {
  // Bounded: a local flood at this port must not hold the thread the heartbeat responders
  // share; the socket is level-triggered, so what is left wakes the loop again.
  size_t n, batches = 0;
  do {
    n = setup_.socket->receive(rx_.data(), rx_.size());
    for (size_t i = 0; i < n; ++i)
      answer(rx_[i]);
  } while (n == rx_.size() && ++batches < 16);
}

void active_monitor::answer(const datagram& d) {
  wire::amon_request req;
  auto err = d.size > wire::amon_max_size
               ? wire::amon_error::oversized
               : wire::decode_amon_request({d.data.data(), d.size}, req);
  if (err == wire::amon_error::none && req.magic != wire::amon_magic)
    err = wire::amon_error::bad_magic; // pmond always sends its one magic number
  if (err == wire::amon_error::none && req.name != setup_.name)
    err = wire::amon_error::wrong_name;
  if (err != wire::amon_error::none)
    return reject(err, d);
  std::array<uint8_t, wire::amon_max_size + 16> out{};
  auto len = wire::encode_amon_response(req, {out.data(), out.size()});
  outgoing o{loopback, 0, setup_.reply_port, static_cast<uint16_t>(len),
             out.data()};
  if (len == 0 || setup_.socket->send(&o, 1) != 1) {
    log::warn("amon", "cannot answer pmond's request {} on port {}", req.sequence,
              setup_.reply_port);
    return;
  }
  if (num_answered_.fetch_add(1, std::memory_order_relaxed) == 0)
    log::info("amon", "answering pmond's active monitor as '{}' (first request, {})",
              setup_.name, req.sequence);
}

void active_monitor::reject(wire::amon_error e, const datagram& d) {
  auto n = num_rejected_[static_cast<size_t>(e)].fetch_add(1, std::memory_order_relaxed);
  // As amon and pmond log: the first, then every hundredth.
  if (n % 100 == 0)
    log::warn("amon", "request from {}:{} not answered: {} ({} so far)", format_ipv4(d.addr),
              d.port, wire::to_string(e), n + 1);
}

} // namespace hbs
