#pragma once
// The real hbs-client responder on a simulated socket: it answers the moment a request is
// delivered, as the client does on its socket thread.

#include <memory>

#include "actors/responder.hpp"
#include "tests/support/sim_network.hpp"

namespace hbs::test {

inline std::unique_ptr<responder> start_responder(responder_setup s) {
  auto socket = s.socket;
  auto r = std::make_unique<responder>(std::move(s));
  std::weak_ptr<datagram_socket> weak = socket;
  socket->on_readable([raw = r.get(), weak] {
    raw->serve();
    if (auto s = weak.lock())
      s->rearm();
  });
  socket->rearm();
  return r;
}

// The host dies: its requests are no longer read (they queue, as in a dead process's socket).
inline void silence(responder& r) {
  r.setup().socket->on_readable([] {});
}

} // namespace hbs::test
