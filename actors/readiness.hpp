#pragma once
// Wires a socket's readiness to an actor: the io_loop thread sends the actor `readable`
// (through a weak handle, so a socket never keeps its owner alive) and the actor drains the
// socket itself and re-arms it.

#include <array>

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <caf/weak_intrusive_ptr.hpp>

#include "messages/atoms.hpp"
#include "runtime/datagram.hpp"

namespace hbs {

template <class Handle, class Self>
void wake_on_readable(Self* self, datagram_socket& socket) {
  caf::weak_actor_ptr weak{self->ctrl()};
  socket.on_readable([weak] {
    if (auto strong = weak.lock())
      caf::anon_send(caf::actor_cast<Handle>(strong), readable_atom_v);
  });
  socket.rearm();
}

// On `readable`: everything waiting, in batches of N, to fn; then the next wake-up.
template <size_t N, class Fn>
void drain(datagram_socket& socket, std::array<datagram, N>& rx, Fn&& fn) {
  size_t n;
  do {
    n = socket.receive(rx.data(), N);
    for (size_t i = 0; i < n; ++i)
      fn(rx[i]);
  } while (n == N);
  socket.rearm();
}

} // namespace hbs
