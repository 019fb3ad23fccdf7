// The peer link's admission: before anything crosses, the dialer asks the gateway it reached
// for its peer protocol (messages/control.hpp) and refuses another release's (peer.hpp).
#include "actors/peer_admission.hpp"

#include "runtime/log.hpp"

namespace hbs {

namespace {

using self_ptr = peer_ptr;
using namespace std::chrono_literals;

// Another protocol's gateway is not linked (its state would be misread): said in the log
// (once per peer release, then every 60th time) and in hbsctl peer; asked again when it
// goes (an upgrade ends it), else after peer_refused_retry.
void refuse_peer(self_ptr self, const caf::actor& gateway, std::string release,
                 std::string why) {
  auto& st = self->state;
  st.connecting = false;
  if (release != st.refused_release || st.num_refusals % 60 == 0)
    log::warn("peer", "link to {} refused: {}", st.setup.peer, why);
  ++st.num_refusals;
  st.refused_release = std::move(release);
  st.refusal = std::move(why);
  st.refused_at = self->clock().now();
  if (gateway.address() != st.refused_gateway) {
    st.refused_gateway = gateway.address();
    self->monitor(gateway);
  }
  self->delayed_send(self, peer_refused_retry, connect_atom_v);
}

// What a peer says of itself, fit for a log line: printable, bounded.
std::string printable(const std::string& s) {
  std::string out = s.substr(0, 40);
  for (auto& c : out)
    if (c < 0x20 || c > 0x7e)
      c = '?';
  return out;
}

} // namespace

// The question and its answer (protocol_atom -> uint32_t, std::string) never change, so any
// release can ask any other; only a silent peer is asked again soon, any other error refuses.
void check_peer_protocol(self_ptr self, caf::strong_actor_ptr ptr, std::set<std::string> ifs) {
  auto gateway = caf::actor_cast<caf::actor>(ptr);
  self->request(gateway, 2s, protocol_atom_v).then(
    [=](uint32_t theirs, const std::string& version) {
      auto& st = self->state;
      if (st.remote) { // it dialed in meanwhile: that link stands
        st.connecting = false;
        return;
      }
      if (theirs != st.setup.protocol)
        return refuse_peer(self, gateway, fmt::format("{} {}", theirs, printable(version)),
                           fmt::format("{} runs hbs {} (peer protocol {}), this agent hbs {} "
                                       "(peer protocol {}); they link once both speak one "
                                       "protocol", peer_address(self), printable(version),
                                       theirs, HBS_VERSION, st.setup.protocol));
      st.connecting = false;
      if (!self->system().assignable<peer_gateway_actor>(ifs)) {
        log::warn("peer", "{}:{} answers peer protocol {} but is not an hbs-agent peer "
                  "gateway", peer_address(self), st.setup.port, theirs);
        return peer_retry_later(self);
      }
      peer_link_up(self, caf::actor_cast<peer_gateway_actor>(ptr), true);
    },
    [=](caf::error& err) {
      auto& st = self->state;
      if (err != caf::sec::request_timeout && !st.remote)
        return refuse_peer(self, gateway, "no answer",
                           fmt::format("{} answers no peer-protocol query ({}): an hbs-agent "
                                       "older than peer protocol 2, or not an hbs-agent; this "
                                       "agent hbs {} (peer protocol {})", peer_address(self),
                                       self->system().render(err), HBS_VERSION,
                                       st.setup.protocol));
      st.connecting = false;
      log::debug("peer", "no answer from {} to the protocol query: {}", peer_address(self),
                 self->system().render(err));
      if (!st.remote)
        peer_retry_later(self);
    });
}

} // namespace hbs
