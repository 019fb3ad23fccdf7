#include "actors/peer.hpp"

#include <caf/io/middleman.hpp>

#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = peer_actor::stateful_pointer<peer_state>;
using namespace std::chrono_literals;

constexpr caf::timespan first_backoff = 100ms;
constexpr caf::timespan max_backoff = 2s;
constexpr caf::timespan probe_every = 1s;

void retry_later(self_ptr self) {
  auto& st = self->state;
  st.backoff = st.backoff == caf::timespan{0} ? first_backoff : std::min(st.backoff * 2,
                                                                          max_backoff);
  self->delayed_send(self, st.backoff, connect_atom_v);
}

void link_up(self_ptr self, controller_actor remote) {
  auto& st = self->state;
  st.remote = std::move(remote);
  st.backoff = caf::timespan{0};
  st.last_contact = self->clock().now();
  st.ever_contacted = true;
  ++st.num_link_ups;
  self->monitor(st.remote);
  log::info("peer", "link to {} up", st.setup.peer);
  self->send(st.setup.parent, link_atom_v, true);
}

void connect(self_ptr self) {
  auto& st = self->state;
  if (st.remote || st.connecting || st.setup.address.empty())
    return;
  st.connecting = true;
  auto mm = self->system().middleman().actor_handle();
  self->request(mm, 2s, caf::connect_atom::value, st.setup.address, st.setup.port)
    .then(
      [=](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>& ifs) {
        self->state.connecting = false;
        if (!ptr || !self->system().assignable<controller_actor>(ifs)) {
          log::warn("peer", "{}:{} is not an hbs-agent control actor", self->state.setup.address,
                    self->state.setup.port);
          return retry_later(self);
        }
        link_up(self, caf::actor_cast<controller_actor>(std::move(ptr)));
      },
      [=](caf::error& err) {
        self->state.connecting = false;
        if (self->state.num_link_ups == 0 && self->state.backoff < max_backoff)
          log::debug("peer", "connect to {} failed: {}", self->state.setup.peer,
                     self->system().render(err));
        retry_later(self);
      });
}

// A cheap request every second: its answer is the "last contact" hbsctl shows.
void probe(self_ptr self) {
  auto& st = self->state;
  if (st.remote)
    self->request(st.remote, 1s, role_atom_v).then(
      [=](const std::string&) { self->state.last_contact = self->clock().now(); },
      [](caf::error&) {});
  self->delayed_send(self, probe_every, tick_atom_v);
}

} // namespace

peer_actor::behavior_type peer_fn(self_ptr self, peer_setup s) {
  self->state.setup = std::move(s);
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source != st.remote.address())
      return;
    st.remote = nullptr;
    ++st.num_link_downs;
    log::warn("peer", "link to {} down: {}", st.setup.peer, self->system().render(dm.reason));
    self->send(st.setup.parent, link_atom_v, false);
    retry_later(self);
  });
  self->send(self, connect_atom_v);
  self->delayed_send(self, probe_every, tick_atom_v);
  return {
    [=](connect_atom) { connect(self); },
    [=](tick_atom) { probe(self); },
    [=](link_atom, controller_actor remote) {
      if (!self->state.remote)
        link_up(self, std::move(remote));
    },
    [=](replica_atom, replica& r) {
      auto& st = self->state;
      if (st.remote)
        self->send(st.remote, replica_atom_v, std::move(r));
      else if (st.num_unsent++ % 100 == 0)
        log::warn("peer", "link to {} down: '{}' not replicated", st.setup.peer, r.op);
    },
    [=](peer_atom) {
      auto& st = self->state;
      peer_status out;
      out.controller = st.setup.controller;
      out.peer = st.setup.peer;
      out.endpoint = st.setup.address.empty() ? "" : st.setup.address + ":"
                                                       + std::to_string(st.setup.port);
      out.link_up = static_cast<bool>(st.remote);
      if (st.ever_contacted)
        out.last_contact_age_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    self->clock().now() - st.last_contact).count();
      out.num_link_ups = st.num_link_ups;
      out.num_link_downs = st.num_link_downs;
      return out;
    },
  };
}

} // namespace hbs
