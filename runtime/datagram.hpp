#pragma once
// The small interface between actors and UDP: real sockets in runtime/udp_socket, a
// simulated network in tests. No CAF; the readiness callback is how an actor gets woken.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace hbs {

// Large enough to notice datagrams above the 427-byte pulse maximum (counted as oversized).
constexpr size_t max_datagram = 512;

struct datagram {
  uint32_t addr = 0; // IPv4 source, host byte order
  uint32_t dest = 0; // IPv4 destination (sockets opened with packet info only), else 0
  uint16_t port = 0;
  uint16_t size = 0; // bytes received, may exceed data.size() when truncated
  int64_t rx_ns = 0; // when the kernel queued it (wall clock; sockets that ask), else 0
  std::array<uint8_t, max_datagram> data{};
};

struct outgoing {
  uint32_t addr = 0; // IPv4 destination, host byte order
  uint32_t source = 0; // 0: the socket's address; else this local address (IP_PKTINFO)
  uint16_t port = 0;
  uint16_t size = 0;
  const uint8_t* data = nullptr;
};

class datagram_socket {
public:
  virtual ~datagram_socket() = default;
  // Non-blocking: fills up to max datagrams, returns how many.
  virtual size_t receive(datagram* out, size_t max) = 0;
  // Returns how many the kernel accepted.
  virtual size_t send(const outgoing* batch, size_t n) = 0;
  // notify runs (on any thread) once when data is ready; rearm() asks for the next one.
  virtual void on_readable(std::function<void()> notify) = 0;
  virtual void rearm() = 0;
  // Instead of rearm(): notify runs once after pause, whether or not data waits. False:
  // this socket has no timer of its own and the owner must time the pause itself.
  virtual bool rearm_after(std::chrono::milliseconds /*pause*/) { return false; }
  // Datagrams the kernel discarded because the receive queue was full, cumulative since the
  // socket opened (a 32-bit counter that may wrap): responses the agent could not read.
  virtual uint32_t num_kernel_drops() const { return 0; }
  // Now, on the clock of datagram::rx_ns (ns), for round trips; 0: no receive times here.
  virtual int64_t clock_ns() const { return 0; }
  // Whether datagrams read from now on carry their receive time (rx_ns): on by default where
  // the socket has receive times; off saves the kernel's control message per datagram.
  virtual void stamp_receives(bool) {}
};

uint32_t parse_ipv4(const std::string& dotted); // 0 when invalid
std::string format_ipv4(uint32_t addr);

} // namespace hbs
