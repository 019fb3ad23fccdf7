#include "actors/peer_admission.hpp"

#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>

#include "runtime/log.hpp"
#include "runtime/tcp_probe.hpp"
#include "runtime/tls.hpp"

namespace hbs {

namespace {

using self_ptr = peer_actor::stateful_pointer<peer_state>;
using namespace std::chrono_literals;

constexpr caf::timespan first_backoff = 100ms;
// Short, so a healed partition (and a dual-active window) ends well within a second.
constexpr caf::timespan max_backoff = 500ms;
constexpr caf::timespan probe_every = 1s;
constexpr int probe_timeout_ms = 300;

const char* path_name(size_t path) {
  return path == 0 ? "management" : "cluster-host";
}

void connect(self_ptr self) {
  auto& st = self->state;
  if (st.remote || st.connecting || st.setup.addresses.empty())
    return;
  if (!st.setup.dials) { // the peer dials; only after a while without a link does this side
    auto waited = self->clock().now() - st.unlinked_since;
    if (waited < peer_dial_fallback) {
      self->delayed_send(self, peer_dial_fallback - waited, connect_atom_v);
      return;
    }
  }
  if (st.setup.probe) {
    auto err = probe_tcp(peer_address(self), st.setup.port, probe_timeout_ms);
    if (!err.empty()) {
      log::debug("peer", "{}:{} ({}) not reachable: {}", peer_address(self), st.setup.port,
                 path_name(st.path), err);
      return peer_retry_later(self);
    }
  }
  st.connecting = true;
  ++st.num_dials;
  // TLS: the OpenSSL module's middleman actor (the plain one would speak BASP in the clear,
  // which a TLS gateway refuses).
  auto mm = st.setup.tls ? self->system().openssl_manager().actor_handle()
                         : self->system().middleman().actor_handle();
  self->request(mm, 2s, caf::connect_atom::value, peer_address(self), st.setup.port)
    .then(
      [=](const caf::node_id&, caf::strong_actor_ptr& ptr, std::set<std::string>& ifs) {
        if (!ptr) {
          self->state.connecting = false;
          log::warn("peer", "{}:{} publishes no actor", peer_address(self),
                    self->state.setup.port);
          return peer_retry_later(self);
        }
        check_peer_protocol(self, std::move(ptr), std::move(ifs));
      },
      [=](caf::error& err) {
        auto& st = self->state;
        st.connecting = false;
        // TLS failures all read disconnect_during_handshake: a refused certificate (either
        // side), or BASP's keepalive cutting a slow handshake (then the retry just works).
        if (st.setup.tls && err == caf::sec::disconnect_during_handshake
            && st.num_tls_failures++ % 20 == 0)
          log::warn("peer", "TLS handshake with {} at {} failed ({} so far): a wrong "
                    "certificate on either side, or one CAF cut short", st.setup.peer,
                    peer_address(self), st.num_tls_failures);
        else
          log::debug("peer", "connect to {} at {} failed: {}", st.setup.peer,
                     peer_address(self), self->system().render(err));
        peer_retry_later(self);
      });
}

// A cheap request every second: its answer is the "last contact" hbsctl shows.
void probe(self_ptr self) {
  auto& st = self->state;
  if (st.remote)
    self->request(st.remote, 1s, ping_atom_v).then(
      [=](uint64_t) { self->state.last_contact = self->clock().now(); }, [](caf::error&) {});
  self->delayed_send(self, probe_every, tick_atom_v);
}

template <class... Ts>
void to_peer(self_ptr self, const char* what, Ts&&... xs) {
  auto& st = self->state;
  if (st.remote)
    self->send(st.remote, std::forward<Ts>(xs)...);
  else if (st.num_unsent++ % 100 == 0)
    log::info("peer", "link to {} down: {} kept for the exchange on link-up", st.setup.peer,
              what);
}

} // namespace

const std::string& peer_address(peer_ptr self) {
  return self->state.setup.addresses[self->state.path];
}

void peer_retry_later(peer_ptr self) {
  auto& st = self->state;
  if (st.setup.addresses.empty())
    return; // nothing to dial: a new handle comes with link_atom
  st.path = (st.path + 1) % st.setup.addresses.size(); // the other path next
  st.backoff = st.backoff == caf::timespan{0} ? first_backoff : std::min(st.backoff * 2,
                                                                          max_backoff);
  self->delayed_send(self, st.path == 0 ? st.backoff : caf::timespan{0}, connect_atom_v);
}

void peer_link_up(peer_ptr self, peer_gateway_actor remote, bool dialed) {
  auto& st = self->state;
  if (dialed && st.setup.addresses.empty())
    dialed = false; // a handle handed over in-process: nothing to announce
  st.remote = std::move(remote);
  st.backoff = caf::timespan{0};
  st.last_contact = self->clock().now();
  st.ever_contacted = true;
  st.refusal.clear();
  ++st.num_link_ups;
  self->monitor(st.remote);
  log::info("peer", "link to {} up ({})", st.setup.peer,
            !dialed ? "it dialed in" : path_name(st.path));
  // First on the link, both ways: the dialer's hello makes the peer link back over this
  // very connection; each hello admits its sender's node at the other gateway, which takes
  // nothing from a node that has not said its protocol.
  if (st.own_gateway)
    self->send(st.remote, hello_atom_v, st.own_gateway, st.setup.protocol);
  self->send(st.setup.parent, link_atom_v, true);
}

peer_actor::behavior_type peer_fn(self_ptr self, peer_setup s) {
  self->state.setup = std::move(s);
  self->state.unlinked_since = self->clock().now();
  self->set_down_handler([=](caf::down_msg& dm) {
    auto& st = self->state;
    if (dm.source && dm.source == st.refused_gateway) { // the refused release is gone
      st.refused_gateway = nullptr;
      if (!st.remote)
        self->send(self, connect_atom_v);
      return;
    }
    if (dm.source != st.remote.address())
      return;
    st.remote = nullptr;
    st.unlinked_since = self->clock().now();
    ++st.num_link_downs;
    log::warn("peer", "link to {} down: {}", st.setup.peer, self->system().render(dm.reason));
    self->send(st.setup.parent, link_atom_v, false);
    st.path = st.setup.addresses.empty() ? 0 : st.setup.addresses.size() - 1;
    peer_retry_later(self); // management first again
  });
  self->send(self, connect_atom_v);
  self->delayed_send(self, probe_every, tick_atom_v);
  return {
    [=](connect_atom) { connect(self); },
    [=](tick_atom) { probe(self); },
    [=](link_atom, peer_gateway_actor remote) {
      if (!self->state.remote && remote)
        peer_link_up(self, std::move(remote), false);
    },
    [=](hello_atom, caf::actor_addr own) { self->state.own_gateway = std::move(own); },
    [=](sync_atom a, control_snapshot& s) { to_peer(self, "a control change", a, std::move(s)); },
    [=](table_atom a, std::string& t) { to_peer(self, "the alarm table", a, std::move(t)); },
    [=](mnfa_atom a, mnfa_report r) { to_peer(self, "the MNFA state", a, r); },
    [=](handoff_atom a, control_snapshot& s) -> caf::result<bool> {
      if (!self->state.remote)
        return caf::make_error(caf::sec::request_receiver_down);
      return self->delegate(self->state.remote, a, std::move(s));
    },
    [=](peer_atom) {
      auto& st = self->state;
      peer_status out;
      out.controller = st.setup.controller;
      out.peer = st.setup.peer;
      if (!st.setup.addresses.empty()) {
        out.endpoint = peer_address(self) + ":" + std::to_string(st.setup.port);
        out.path = path_name(st.path);
      }
      out.link_up = static_cast<bool>(st.remote);
      if (st.ever_contacted)
        out.last_contact_age_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    self->clock().now() - st.last_contact).count();
      out.num_link_ups = st.num_link_ups;
      out.num_link_downs = st.num_link_downs;
      out.num_unsent = st.num_unsent;
      out.tls = st.setup.tls;
      out.num_tls_refused = num_tls_refused();
      out.protocol = st.setup.protocol;
      if (!st.refusal.empty()) // kept until a link: its age tells whether it still holds
        out.refusal = fmt::format("{} s ago: {}", std::chrono::duration_cast<std::chrono::seconds>(
                                                    self->clock().now() - st.refused_at)
                                                    .count(), st.refusal);
      return out;
    },
  };
}

} // namespace hbs
