#include "actors/vault.hpp"

#include <fmt/format.h>

#include "runtime/log.hpp"

namespace hbs {

std::vector<uint8_t> encode_for_sm(wire::cluster_block block, uint16_t reqid) {
  block.reqid = reqid;
  std::vector<uint8_t> out(wire::max_cluster_size);
  out.resize(wire::encode_cluster(block, {out.data(), out.size()}));
  return out;
}

namespace {

using self_ptr = vault_actor::stateful_pointer<vault_state>;

int64_t now_ms(self_ptr self) {
  using namespace std::chrono;
  return duration_cast<milliseconds>(self->clock().now().time_since_epoch()).count();
}

void share_own(self_ptr self) {
  auto block = self->state.book->own_block();
  for (auto& n : self->state.networks)
    self->send(n, history_atom_v, block);
}

void push_if_changed(self_ptr self) {
  auto& st = self->state;
  if (!st.book->reasons_pending())
    return;
  st.last_reasons = st.book->take_reasons();
  ++st.num_pushes;
  log::info("vault", "cluster change: {}", st.last_reasons.substr(0, 200));
  if (st.gateway)
    self->send(st.gateway, push_atom_v, encode_for_sm(st.book->vault(), 0));
}

// clog1: the view of every full history, when it changed (§8); clog3: the memory of this
// controller's history of the network whose period just closed.
void log_histories(self_ptr self, uint8_t network) {
  auto& st = self->state;
  auto& v = st.book->vault();
  for (uint8_t i = 0; i < v.num_histories; ++i) {
    auto& h = v.histories[i];
    if (log::enabled(log::category::clog1) && h.entries == wire::history_entries) {
      auto lines = history_view_lines(h, st.setup.controller, "vault");
      if (st.views.should_log(h.controller, h.network, lines))
        for (auto& l : lines)
          log::trace(log::category::clog1, "vault", "{}", l);
    }
    if (log::enabled(log::category::clog3) && h.network == network
        && h.controller == st.setup.controller_number)
      for (auto& l : history_memory(h))
        log::trace(log::category::clog3, "vault", "memory {}", l);
  }
}

void on_summary(self_ptr self, const period_summary& s) {
  auto& st = self->state;
  if (s.network == 0) {
    bool was = st.sm_fail;
    st.sm_fail = st.sm->evaluate(now_ms(self));
    if (st.sm_fail != was)
      log::warn("vault", "SM heartbeat {}", st.sm_fail ? "missing for more than 800 ms"
                                                       : "recovered after 16 steady beats");
  }
  st.book->close_period(s, st.sm_fail);
  if (st.gateway) { // queries are answered from this copy, without a round trip to the vault
    auto copy = encode_for_sm(st.book->vault(), 0);
    if (copy != st.gateway_copy) { // unchanged (no host monitored): nothing to wake it for
      st.gateway_copy = copy;
      self->send(st.gateway, vault_atom_v, std::move(copy));
    }
  }
  auto net = s.network == 0 ? "Mgmnt" : "Clstr";
  if (s.enabled == s.responding)
    log::trace(log::category::clog, "vault", "controller-{} {} has {} monitored hosts and all "
               "are responding", st.setup.controller_number, net, s.enabled);
  else
    log::trace(log::category::clog, "vault", "controller-{} {} enabled:{} not responding:{}",
               st.setup.controller_number, net, s.enabled, s.enabled - s.responding);
  if (s.got_peer)
    log::trace(log::category::clog1, "vault", "controller-{} {} saved the peer's view ({} "
               "histories)", st.setup.controller_number, net, int{s.peer.num_histories});
  log_histories(self, s.network);
  push_if_changed(self);
}

vault_view view(const vault_state& st) {
  auto& v = st.book->vault();
  vault_view out;
  out.controller = st.setup.controller;
  out.period_msec = v.period_msec;
  out.storage0_enabled = v.storage0_enabled;
  out.locked = st.book->locked();
  out.sm_heartbeat_fail = st.sm_fail;
  out.num_pushes = st.num_pushes;
  out.num_sm_beats = st.num_sm_beats;
  out.last_reasons = st.last_reasons;
  for (uint8_t i = 0; i < v.num_histories; ++i) {
    auto& h = v.histories[i];
    history_view hv{h.controller, h.network, h.sm_heartbeat_fail, h.storage0_responding, {}, {}};
    for (uint16_t k = 0; k < h.entries; ++k) { // oldest to newest
      auto& e = h.ring[(h.oldest + wire::history_entries - h.entries + k) % wire::history_entries];
      hv.enabled.push_back(e.enabled);
      hv.responding.push_back(e.responding);
    }
    out.histories.push_back(std::move(hv));
  }
  return out;
}

// The StarlingX vault dump (§8): "Cluster Vault : C<n> <net> [S:y|n] SM: ok|miss" and the
// 20 slots as [e:r], the next slot to write marked with '>'.
void dump(self_ptr self, const std::string& why) {
  auto& v = self->state.book->vault();
  for (uint8_t i = 0; i < v.num_histories; ++i) {
    auto& h = v.histories[i];
    std::string line = fmt::format("Cluster Vault : C{} {} ", int{h.controller},
                                   h.network == 0 ? "Mgmnt" : "Clstr");
    if (v.storage0_enabled)
      line += h.storage0_responding ? "[S:y] " : "[S:n] ";
    line += h.sm_heartbeat_fail ? "SM: miss" : "SM: ok  ";
    for (size_t k = 0; k < wire::history_entries; ++k)
      line += fmt::format(" {}[{}:{}]", k == h.oldest ? ">" : "", h.ring[k].enabled,
                          h.ring[k].responding);
    log::info("vault", "{} ({})", line, why);
  }
  // Forced views: a loss logs them under the "event" prefix (§8).
  auto prefix = why.rfind("loss", 0) == 0 ? "event" : "dump";
  for (uint8_t i = 0; i < v.num_histories; ++i)
    for (auto& l : history_view_lines(v.histories[i], self->state.setup.controller, prefix))
      log::info("vault", "{}", l);
  if (v.num_histories == 0)
    log::info("vault", "Cluster Vault : empty ({})", why);
}

} // namespace

vault_actor::behavior_type vault_fn(self_ptr self, vault_setup s) {
  auto& st = self->state;
  st.setup = std::move(s);
  st.book.emplace(st.setup.controller_number, st.setup.period_ms);
  st.sm.emplace(now_ms(self)); // the first 800 ms count as alive (§4.8)
  return {
    [=](period_summary& s) {
      on_summary(self, s);
      return self->state.book->own_block();
    },
    [=](reason_atom, const std::string& r) {
      // Host reasons come from the host actors just after the period closed, usually after
      // its summary: pushed a few ms later, in the same period, as StarlingX does at the end
      // of the period (§4.6), not with the next period's summary. One push for the burst.
      self->state.book->add_reason(r);
      if (!self->state.push_scheduled) {
        self->state.push_scheduled = true;
        self->delayed_send(self, std::chrono::milliseconds{5}, push_atom_v);
      }
    },
    [=](push_atom) {
      self->state.push_scheduled = false;
      push_if_changed(self);
    },
    [=](sm_beat_atom) {
      ++self->state.num_sm_beats;
      self->state.sm->beat(now_ms(self));
    },
    [=](lock_atom, bool locked) {
      self->state.book->set_locked(locked);
      share_own(self);
      push_if_changed(self);
    },
    [=](peer_atom) { self->state.book->set_peer_enabled(); },
    [=](period_atom, uint32_t ms) { self->state.book->set_period(static_cast<uint16_t>(ms)); },
    [=](network_atom, network_actor n) {
      self->send(n, history_atom_v, self->state.book->own_block());
      self->state.networks.push_back(std::move(n));
    },
    [=](sm_atom, sm_gateway_actor g) { self->state.gateway = std::move(g); },
    [=](query_atom, uint16_t reqid) {
      return encode_for_sm(self->state.book->vault(), reqid);
    },
    [=](dump_atom, const std::string& why) { dump(self, why); },
    [=](vault_atom) { return view(self->state); },
  };
}

} // namespace hbs
