#pragma once
// A simulated UDP network for actor tests: sockets bound to (address, port), optional
// multicast groups, and a drop rule the test changes at will. Delivery wakes the receiving
// actor through the same readiness callback the real io_loop uses.

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "runtime/datagram.hpp"

namespace hbs::test {

class sim_network;

class sim_socket : public datagram_socket, public std::enable_shared_from_this<sim_socket> {
public:
  sim_socket(sim_network& net, uint32_t addr, uint16_t port)
    : net_(net), addr_(addr), port_(port) {}
  size_t receive(datagram* out, size_t max) override;
  size_t send(const outgoing* batch, size_t n) override;
  void on_readable(std::function<void()> notify) override { notify_ = std::move(notify); }
  void rearm() override;
  // As a real socket's timerfd (runtime/udp_socket): not armed during the pause, the owner
  // woken when it ends, data or not; in the network's simulated time (sim_network::after).
  bool rearm_after(std::chrono::milliseconds pause) override;
  uint32_t num_kernel_drops() const override { return kernel_drops; }
  int64_t clock_ns() const override;
  void stamp_receives(bool on) override { stamping = on; }
  void push(const datagram& d);
  // What the kernel would report through SO_MEMINFO; tests set it.
  uint32_t kernel_drops = 0;
  uint64_t num_rearms = 0; // readiness asked for again (an epoll_ctl on a real socket)
  uint64_t num_pauses = 0; // wake-ups after a pause on the socket's own timer
  bool stamping = true;     // receive times (when the network has a clock) on reads
  uint64_t num_stamped = 0; // datagrams read with a receive time

private:
  void fire();
  sim_network& net_;
  uint32_t addr_;
  uint16_t port_;
  std::deque<datagram> queue_;
  std::function<void()> notify_;
  bool armed_ = false;
};

class sim_network {
public:
  // Returns a socket receiving at addr:port (and group:port when group != 0).
  std::shared_ptr<sim_socket> bind(const std::string& addr, uint16_t port,
                                   const std::string& group = {});
  // true: the datagram from -> to:port is lost.
  std::function<bool(uint32_t from, uint32_t to, uint16_t port)> drop;
  // Receive times, as SO_TIMESTAMPNS gives them: when set, a datagram is stamped with
  // clock() plus delay(from, to) ns (the path's latency; null: none). Unset: no stamps.
  std::function<int64_t()> clock;
  std::function<int64_t(uint32_t from, uint32_t to)> delay;
  // Runs a callback after a pause of the test's simulated time: the sockets' timers. Unset,
  // rearm_after returns false and the owner keeps time itself (CAF's clock).
  std::function<void(std::chrono::milliseconds, std::function<void()>)> after;
  uint64_t num_delivered = 0;
  uint64_t num_dropped = 0;

private:
  friend class sim_socket;
  void deliver(uint32_t from, uint16_t from_port, const outgoing& o);
  std::map<std::pair<uint32_t, uint16_t>, std::vector<std::weak_ptr<sim_socket>>> bound_;
};

} // namespace hbs::test
