#include "runtime/udp_socket.hpp"

#include <arpa/inet.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace hbs {

uint32_t parse_ipv4(const std::string& dotted) {
  in_addr a{};
  if (inet_pton(AF_INET, dotted.c_str(), &a) != 1)
    return 0;
  return ntohl(a.s_addr);
}

std::string format_ipv4(uint32_t addr) {
  in_addr a{htonl(addr)};
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

namespace {

constexpr int batch_max = 64;
constexpr int cs6_tos = 0xC0; // DSCP CS6, as StarlingX sets on pulse sockets

sockaddr_in endpoint(uint32_t addr, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(addr);
  sa.sin_port = htons(port);
  return sa;
}

struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0)
      close(fd);
  }
  int release() {
    int f = fd;
    fd = -1;
    return f;
  }
};

int bound_socket(const std::string& address, uint16_t port, bool reuse, std::string& error) {
  fd_guard g{socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
  if (g.fd < 0) {
    error = fmt::format("socket(): {}", std::strerror(errno));
    return -1;
  }
  int on = 1;
  if (reuse)
    setsockopt(g.fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  auto sa = endpoint(parse_ipv4(address), port);
  if (bind(g.fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    error = fmt::format("cannot bind {}:{}: {}", address, port, std::strerror(errno));
    return -1;
  }
  return g.release();
}

void pulse_priority(int fd) {
  int tos = cs6_tos;
  int prio = 6;
  setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos);
  setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &prio, sizeof prio);
}

// The kernel doubles `bytes` and charges ~830 bytes per small datagram queued (loopback):
// 4 MiB holds ~10,000 of them, one period's answers at 10,000 hosts, so an agent kept off
// the CPU for part of that burst overflowed. The agent asks for 32 MiB (~80,000, eight
// periods); memory is charged only while datagrams wait.
constexpr int agent_receive_buffer = 32 * 1024 * 1024;
constexpr int default_receive_buffer = 4 * 1024 * 1024;

void large_receive_buffer(int fd, int size = default_receive_buffer) {
  // SO_RCVBUFFORCE passes rmem_max when running as root; fall back quietly otherwise.
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

bool pin_multicast(int fd, const cfg::network_config& net, std::string& error) {
  in_addr ifaddr{htonl(parse_ipv4(net.local_address))};
  // Loopback tests must never leak multicast off the host: TTL 0 keeps it local.
  unsigned char ttl = cfg::is_loopback(net.local_address) ? 0 : net.multicast_ttl;
  unsigned char loop = 1;
  if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ifaddr, sizeof ifaddr) != 0
      || setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) != 0
      || setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) != 0) {
    error = fmt::format("cannot set multicast options on {}: {}", net.local_address,
                        std::strerror(errno));
    return false;
  }
  return true;
}

// Membership of the network's group on the network's own address (never the default route).
bool join_group(int fd, const cfg::network_config& net, std::string& error) {
  ip_mreq m{};
  m.imr_multiaddr.s_addr = htonl(parse_ipv4(net.multicast_group));
  m.imr_interface.s_addr = htonl(parse_ipv4(net.local_address));
  if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m) == 0)
    return true;
  error = fmt::format("cannot join {} on {}: {}", net.multicast_group, net.local_address,
                      std::strerror(errno));
  return false;
}

} // namespace

udp_socket::udp_socket(io_loop& loop, int rx_fd, int tx_fd)
  : loop_(loop), rx_(rx_fd), tx_(tx_fd) {
}

udp_socket::~udp_socket() {
  if (timer_)
    loop_.forget(timer_->fd);
  loop_.forget(rx_);
  close(rx_);
  if (tx_ != rx_)
    close(tx_);
}

// Room for one IP_PKTINFO control message per datagram.
struct pktinfo_cmsg {
  alignas(cmsghdr) char buf[CMSG_SPACE(sizeof(in_pktinfo))];
};

// Received datagrams may also carry the kernel's receive time (SO_TIMESTAMPNS). No other
// control message is asked for: with none, the kernel skips that path per datagram (7 % of
// the agent's CPU at 10,000 hosts for a drop counter read once a period; num_kernel_drops).
struct receive_cmsg {
  alignas(cmsghdr) char buf[CMSG_SPACE(sizeof(in_pktinfo)) + CMSG_SPACE(sizeof(timespec))];
};

size_t udp_socket::receive(datagram* out, size_t max) {
  mmsghdr msgs[batch_max];
  iovec iov[batch_max];
  sockaddr_in from[batch_max];
  receive_cmsg ctl[batch_max];
  size_t n = std::min<size_t>(max, batch_max);
  for (size_t i = 0; i < n; ++i) {
    iov[i] = {out[i].data.data(), out[i].data.size()};
    msgs[i] = {};
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &from[i];
    msgs[i].msg_hdr.msg_namelen = sizeof from[i];
    msgs[i].msg_hdr.msg_control = ctl[i].buf;
    msgs[i].msg_hdr.msg_controllen = sizeof ctl[i].buf;
  }
  int got = recvmmsg(rx_, msgs, static_cast<unsigned>(n), MSG_DONTWAIT | MSG_TRUNC, nullptr);
  if (got <= 0)
    return 0;
  for (int i = 0; i < got; ++i) {
    out[i].addr = ntohl(from[i].sin_addr.s_addr);
    out[i].port = ntohs(from[i].sin_port);
    // With MSG_TRUNC this is the real length: an oversized datagram is seen as such.
    out[i].size = static_cast<uint16_t>(std::min<unsigned>(msgs[i].msg_len, 65535));
    out[i].dest = 0;
    out[i].rx_ns = 0;
    for (auto* c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        out[i].dest = ntohl(reinterpret_cast<in_pktinfo*>(CMSG_DATA(c))->ipi_addr.s_addr);
      } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        timespec ts;
        std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
        out[i].rx_ns = int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
      }
    }
  }
  return static_cast<size_t>(got);
}

size_t udp_socket::send(const outgoing* batch, size_t n) {
  size_t sent = 0;
  size_t i = 0;
  while (i < n) {
    mmsghdr msgs[batch_max];
    iovec iov[batch_max];
    sockaddr_in to[batch_max];
    pktinfo_cmsg ctl[batch_max];
    size_t k = std::min<size_t>(n - i, batch_max);
    for (size_t j = 0; j < k; ++j) {
      auto& o = batch[i + j];
      to[j] = endpoint(o.addr, o.port);
      iov[j] = {const_cast<uint8_t*>(o.data), o.size};
      msgs[j] = {};
      msgs[j].msg_hdr.msg_iov = &iov[j];
      msgs[j].msg_hdr.msg_iovlen = 1;
      msgs[j].msg_hdr.msg_name = &to[j];
      msgs[j].msg_hdr.msg_namelen = sizeof to[j];
      if (o.source != 0) { // answer from this local address (one socket, many hosts)
        std::memset(ctl[j].buf, 0, sizeof ctl[j].buf);
        msgs[j].msg_hdr.msg_control = ctl[j].buf;
        msgs[j].msg_hdr.msg_controllen = sizeof ctl[j].buf;
        auto* c = CMSG_FIRSTHDR(&msgs[j].msg_hdr);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        auto* info = reinterpret_cast<in_pktinfo*>(CMSG_DATA(c));
        info->ipi_spec_dst.s_addr = htonl(o.source);
      }
    }
    int r = sendmmsg(tx_, msgs, static_cast<unsigned>(k), MSG_DONTWAIT);
    if (r <= 0) {
      ++i; // skip the datagram the kernel refused; the caller counts the shortfall
      continue;
    }
    sent += static_cast<size_t>(r);
    i += static_cast<size_t>(r);
  }
  return sent;
}

void udp_socket::on_readable(std::function<void()> notify) {
  notify_ = notify;
  loop_.watch(rx_, std::move(notify));
}

void udp_socket::drain_on_loop(std::function<void()> drain) {
  loop_.serve(rx_, std::move(drain));
}

uint32_t udp_socket::num_kernel_drops() const {
  // The live count (Linux 4.6 on), read when a period is judged: a queue that overflowed
  // after the last datagram read shows at once. Should the call fail, the last count read
  // stands: the next success shows every drop since.
  uint32_t mem[SK_MEMINFO_VARS] = {};
  socklen_t len = sizeof mem;
  if (getsockopt(rx_, SOL_SOCKET, SO_MEMINFO, mem, &len) == 0
      && len > SK_MEMINFO_DROPS * sizeof(uint32_t))
    kernel_drops_ = mem[SK_MEMINFO_DROPS];
  return kernel_drops_;
}

void udp_socket::rearm() {
  loop_.arm(rx_);
}

udp_socket::owned_fd::~owned_fd() {
  close(fd);
}

bool udp_socket::rearm_after(std::chrono::milliseconds pause) {
  if (!notify_)
    return false;
  if (!timer_) {
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd < 0)
      return false;
    timer_ = std::make_shared<owned_fd>(fd);
    loop_.serve(fd, [timer = timer_, notify = notify_] {
      uint64_t expiries = 0;
      if (read(timer->fd, &expiries, sizeof expiries) == sizeof expiries)
        notify();
    });
  }
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(pause).count();
  itimerspec at{};
  at.it_value.tv_sec = ns / 1000000000;
  at.it_value.tv_nsec = std::max<long>(ns % 1000000000, ns > 0 ? 0 : 1); // 0 would disarm
  return timerfd_settime(timer_->fd, 0, &at, nullptr) == 0;
}

// Turned off, the kernel still stamps every datagram (this socket keeps net timestamping
// enabled once asked) but puts no control message in the reads: a later "on" is exact from
// its first read, and toggling costs one setsockopt, not a static-key change.
void udp_socket::stamp_receives(bool on) {
  if (on == stamping_)
    return;
  int v = on ? 1 : 0;
  if (setsockopt(rx_, SOL_SOCKET, SO_TIMESTAMPNS, &v, sizeof v) == 0)
    stamping_ = on;
}

int64_t udp_socket::clock_ns() const {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

std::shared_ptr<udp_socket> open_agent_socket(io_loop& loop, const cfg::network_config& net,
                                              std::string& error) {
  int fd = bound_socket(net.local_address, net.agent_port, false, error);
  if (fd < 0)
    return nullptr;
  pulse_priority(fd);
  large_receive_buffer(fd, agent_receive_buffer);
  if (net.mode == cfg::net_mode::multicast && !pin_multicast(fd, net, error)) {
    close(fd);
    return nullptr;
  }
  auto sock = std::make_shared<udp_socket>(loop, fd, fd);
  // Each response's kernel receive time: its round trip without the agent's own queueing.
  sock->stamp_receives(true);
  return sock;
}

std::shared_ptr<udp_socket> open_client_socket(io_loop& loop, const cfg::network_config& net,
                                               std::string& error) {
  bool mcast = net.mode == cfg::net_mode::multicast;
  int rx = bound_socket(mcast ? net.multicast_group : net.local_address, net.client_port, mcast,
                        error);
  if (rx < 0)
    return nullptr;
  if (mcast && !join_group(rx, net, error)) {
    close(rx);
    return nullptr;
  }
  int tx = bound_socket(net.local_address, 0, false, error);
  if (tx < 0) {
    close(rx);
    return nullptr;
  }
  pulse_priority(tx);
  return std::make_shared<udp_socket>(loop, rx, tx);
}

std::shared_ptr<udp_socket> open_sim_socket(io_loop& loop, const cfg::network_config& net,
                                            std::string& error) {
  bool mcast = net.mode == cfg::net_mode::multicast;
  // Unicast: every simulated host's address on one wildcard socket; the destination of each
  // request (IP_PKTINFO) says which host it is for.
  int fd = bound_socket(mcast ? net.multicast_group : std::string{"0.0.0.0"}, net.client_port,
                        true, error);
  if (fd < 0)
    return nullptr;
  int on = 1;
  setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
  // Don't fragment: an unfragmentable datagram gets IP id 0, not one from the kernel's
  // shared id table (__ip_select_ident: a tenth of the simulator's CPU at 10,000 hosts).
  // Answers are at most 471 bytes, under any link's MTU.
  int pmtu = IP_PMTUDISC_DO;
  setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof pmtu);
  large_receive_buffer(fd);
  int sndbuf = 8 * 1024 * 1024;
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) != 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  if (mcast && !join_group(fd, net, error)) {
    close(fd);
    return nullptr;
  }
  auto sock = std::make_shared<udp_socket>(loop, fd, fd);
  // When each request arrived: the simulator reports the ones it answered late, so a bench
  // can tell the simulator falling behind from the agent misjudging.
  sock->stamp_receives(true);
  return sock;
}

std::shared_ptr<udp_socket> open_local_socket(io_loop& loop, const std::string& address,
                                              uint16_t port, std::string& error,
                                              bool burst_buffer) {
  int fd = bound_socket(address, port, false, error);
  if (fd < 0)
    return nullptr;
  if (burst_buffer)
    large_receive_buffer(fd, agent_receive_buffer);
  return std::make_shared<udp_socket>(loop, fd, fd);
}

} // namespace hbs
