#include "actors/sm_gateway.hpp"

#include "actors/readiness.hpp"
#include "messages/bytes.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = sm_gateway_actor::stateful_pointer<sm_gateway_state>;

void send_to_sm(self_ptr self, const std::vector<uint8_t>& bytes) {
  auto& st = self->state;
  outgoing o{st.setup.reply_addr, 0, st.setup.reply_port, static_cast<uint16_t>(bytes.size()),
             bytes.data()};
  if (st.setup.socket->send(&o, 1) != 1 && st.num_send_errors++ % 1000 == 0)
    log::warn("sm", "cannot send the vault to SM at port {} ({} failures)", st.setup.reply_port,
              st.num_send_errors);
}

// A token bucket refilled at max_per_s, holding at most one second's worth.
bool within_rate(self_ptr self) {
  auto& st = self->state;
  auto now = self->clock().now();
  auto rate = static_cast<double>(st.setup.max_per_s);
  st.tokens = std::min(rate, st.tokens + rate * std::chrono::duration<double>(
                                                  now - st.refilled).count());
  st.refilled = now;
  if (st.tokens < 1)
    return false;
  st.tokens -= 1;
  return true;
}

void on_datagram(self_ptr self, const datagram& d) {
  auto& st = self->state;
  auto size = std::min<size_t>(d.size, d.data.size());
  auto req = !within_rate(self)       ? sm_request{sm_error::rate_limited, 0}
             : d.size > max_sm_request ? sm_request{sm_error::oversized, 0}
                                       : parse_sm_request({reinterpret_cast<const char*>(
                                                             d.data.data()), size});
  if (req.error != sm_error::none) {
    auto& n = st.num_rejected[static_cast<size_t>(req.error)];
    if (n++ % 1000 == 0)
      log::warn("sm", "ignored SM request from {}: {} ({} so far)", format_ipv4(d.addr),
                to_string(req.error), n);
    return;
  }
  if (req.reqid == 0) {
    ++st.num_beats;
    self->send(st.setup.vault, sm_beat_atom_v);
    return;
  }
  ++st.num_queries;
  if (!st.current.empty()) { // answer at once from the vault as of the last period end
    st.reply = st.current;
    wire::store_u16(st.reply.data() + 4, req.reqid);
    send_to_sm(self, st.reply);
    return;
  }
  self->request(st.setup.vault, std::chrono::seconds{1}, query_atom_v, req.reqid)
    .then([=](std::vector<uint8_t>& bytes) { send_to_sm(self, bytes); });
}

} // namespace

sm_gateway_actor::behavior_type sm_gateway_fn(self_ptr self, sm_gateway_setup s) {
  self->state.setup = std::move(s);
  self->state.tokens = self->state.setup.max_per_s;
  self->state.refilled = self->clock().now();
  wake_on_readable<sm_gateway_actor>(self, *self->state.setup.socket);
  return {
    [=](readable_atom) {
      auto& st = self->state;
      drain(*st.setup.socket, st.rx, [=](const datagram& d) { on_datagram(self, d); });
    },
    [=](vault_atom, std::vector<uint8_t>& bytes) { self->state.current = std::move(bytes); },
    [=](push_atom, const std::vector<uint8_t>& bytes) {
      ++self->state.num_pushes;
      send_to_sm(self, bytes);
    },
    [=](status_atom) {
      auto& st = self->state;
      return sm_counters{true, st.num_queries, st.num_beats, st.num_pushes, st.num_send_errors,
                         st.setup.socket->num_kernel_drops(),
                         {st.num_rejected.begin(), st.num_rejected.end()}};
    },
  };
}

} // namespace hbs
