#pragma once
// Native UDP sockets behind datagram_socket: batched recvmmsg/sendmmsg, the sender's address
// for every datagram, multicast membership. Multicast always leaves through the network's
// own address (IP_MULTICAST_IF) and never past this host when that address is loopback.

#include <memory>
#include <string>

#include "config/config.hpp"
#include "runtime/datagram.hpp"
#include "runtime/io_loop.hpp"

namespace hbs {

class udp_socket : public datagram_socket {
public:
  // rx and tx may be the same descriptor; the socket owns both.
  udp_socket(io_loop& loop, int rx_fd, int tx_fd);
  ~udp_socket() override;

  size_t receive(datagram* out, size_t max) override;
  size_t send(const outgoing* batch, size_t n) override;
  void on_readable(std::function<void()> notify) override;
  void rearm() override;
  // A timerfd on the io_loop: the pause costs the owner one syscall and wakes only the
  // io_loop's thread when it ends (a CAF delayed_send also wakes CAF's clock thread when
  // it is asked, a cross-thread wake-up per pause).
  bool rearm_after(std::chrono::milliseconds pause) override;
  // drain runs on the io_loop's thread whenever data waits and reads it all (io_loop::serve);
  // no re-arm needed. For owners that are not actors (hbs-client).
  void drain_on_loop(std::function<void()> drain);
  uint32_t num_kernel_drops() const override;
  int64_t clock_ns() const override; // CLOCK_REALTIME, as SO_TIMESTAMPNS stamps
  void stamp_receives(bool on) override;

private:
  io_loop& loop_;
  int rx_;
  int tx_;
  // The timerfd for rearm_after, made on its first use. Shared with the io_loop's callback,
  // which reads it: closed only when neither holds it, so its number is never reused while
  // the io_loop's thread may still read it.
  struct owned_fd {
    explicit owned_fd(int f) : fd(f) {}
    owned_fd(const owned_fd&) = delete;
    owned_fd& operator=(const owned_fd&) = delete;
    ~owned_fd();
    const int fd;
  };
  std::shared_ptr<owned_fd> timer_;
  std::function<void()> notify_;
  mutable uint32_t kernel_drops_ = 0; // the last count read (SO_MEMINFO)
  bool stamping_ = false;     // SO_TIMESTAMPNS on rx_
};

// Agent side of one network: bound to local_address:agent_port, sends requests from there.
std::shared_ptr<udp_socket> open_agent_socket(io_loop& loop, const cfg::network_config& net,
                                              std::string& error);
// Client side: receives requests (group member or unicast), answers from local_address.
std::shared_ptr<udp_socket> open_client_socket(io_loop& loop, const cfg::network_config& net,
                                               std::string& error);
// hbs-sim: one socket answering for many simulated hosts (IP_PKTINFO both ways). Unicast:
// bound to the wildcard address at the client port; multicast: a member of the group.
std::shared_ptr<udp_socket> open_sim_socket(io_loop& loop, const cfg::network_config& net,
                                            std::string& error);
// A plain socket bound to address:port (process-monitor pulses, SM, mtcAgent's commands).
// burst_buffer: a receive buffer as large as the pulse sockets' (mtcAgent pushes ADD and
// START for every host at once after an agent restart: StarlingX 2b9bc75).
std::shared_ptr<udp_socket> open_local_socket(io_loop& loop, const std::string& address,
                                              uint16_t port, std::string& error,
                                              bool burst_buffer = false);

} // namespace hbs
