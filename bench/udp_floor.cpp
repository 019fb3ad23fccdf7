// The kernel floor for scripts/bench: the same datagram pattern as hbs with nothing else.
//   udp_floor respond --hosts N --port P --reply-port R     (like hbs-sim, no protocol work)
//   udp_floor request --port P --reply-port R --networks K --seconds S
//   udp_floor receive --port P --networks K --hosts N --seconds S   (hbs-sim --mirror-port P
//                      sends it a copy of every answer, network k's to P+k: the floor in the
//                      agent's run; N: the answers a period brings each network)
//   udp_floor answer --address A --port P --reply-port R [--address2 A2 --port2 P2
//                    --reply-port2 R2]   (the floor for one hbs-client: see answer())
// The requester sends one 251-byte multicast request per period (100 ms) and network on
// 127.0.0.1 (TTL 0) and reads every reply with recvmmsg; it prints replies/s. Its CPU time
// per reply is the floor hbs-agent's is compared with.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "actors/stream_reading.hpp"
#include "options.hpp"

namespace {

constexpr const char* group = "239.1.1.2";

// Options follow the subcommand (argv[1]).
const char* sarg(int argc, char** argv, const char* name, const char* fallback) {
  return hbs::bench::option_text(argc, argv, name, fallback, 2);
}

int arg(int argc, char** argv, const char* name, int fallback) {
  return hbs::bench::option_int(argc, argv, name, fallback, 2);
}

sockaddr_in addr(const char* ip, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

// Reads every datagram waiting on fd in recvmmsg batches of 64, each with its sender's
// address; returns how many. A heartbeat reader must know who answered: the stock hbsAgent
// reads each pulse with recvfrom and its source address (mtce's msgClassSock::read), so the
// floor does too (three alternating 15 s floor windows each with and without it at 10,000
// hosts x 2: agent/floor 1.33, 1.34, 1.31 against 1.30, 1.34, 1.29, within their spread).
long drain(int fd) {
  static std::vector<std::array<uint8_t, 512>> bufs(64);
  static std::vector<mmsghdr> msgs(64);
  static std::vector<iovec> iov(64);
  static std::vector<sockaddr_in> from(64);
  long got = 0;
  for (;;) {
    for (int k = 0; k < 64; ++k) {
      iov[k] = {bufs[k].data(), bufs[k].size()};
      msgs[k] = {};
      msgs[k].msg_hdr.msg_iov = &iov[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
      msgs[k].msg_hdr.msg_name = &from[k];
      msgs[k].msg_hdr.msg_namelen = sizeof from[k];
    }
    int n = recvmmsg(fd, msgs.data(), 64, MSG_DONTWAIT, nullptr);
    if (n <= 0)
      return got;
    got += n;
  }
}

int respond(int hosts, int port) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0), on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  auto g = addr(group, port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&g), sizeof g) != 0)
    return perror("bind"), 1;
  ip_mreq m{};
  inet_pton(AF_INET, group, &m.imr_multiaddr);
  inet_pton(AF_INET, "127.0.0.1", &m.imr_interface);
  setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m);
  uint8_t req[512];
  std::vector<mmsghdr> msgs(64);
  std::vector<iovec> iov(64);
  std::vector<std::array<char, CMSG_SPACE(sizeof(in_pktinfo))>> ctl(64);
  for (;;) {
    sockaddr_in from{};
    socklen_t len = sizeof from;
    auto n = recvfrom(fd, req, sizeof req, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n <= 0)
      continue;
    int reply_port = req[0] | (req[1] << 8);
    auto to = addr("127.0.0.1", reply_port);
    to.sin_addr = from.sin_addr;
    for (int h = 0; h < hosts;) {
      int k = 0;
      for (; k < 64 && h < hosts; ++k, ++h) {
        iov[k] = {req, static_cast<size_t>(n)};
        msgs[k] = {};
        msgs[k].msg_hdr.msg_name = &to;
        msgs[k].msg_hdr.msg_namelen = sizeof to;
        msgs[k].msg_hdr.msg_iov = &iov[k];
        msgs[k].msg_hdr.msg_iovlen = 1;
        msgs[k].msg_hdr.msg_control = ctl[k].data();
        msgs[k].msg_hdr.msg_controllen = ctl[k].size();
        auto* c = CMSG_FIRSTHDR(&msgs[k].msg_hdr);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
        auto* info = reinterpret_cast<in_pktinfo*>(CMSG_DATA(c));
        std::memset(info, 0, sizeof *info);
        info->ipi_spec_dst.s_addr = htonl((127u << 24 | 1u << 16) + 1 + static_cast<uint32_t>(h));
      }
      sendmmsg(fd, msgs.data(), static_cast<unsigned>(k), 0);
    }
  }
}

int request(int port, int reply_port, int networks, int seconds) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  auto me = addr("127.0.0.1", reply_port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&me), sizeof me) != 0)
    return perror("bind"), 1;
  int size = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
  in_addr lo{};
  inet_pton(AF_INET, "127.0.0.1", &lo);
  unsigned char ttl = 0, loop = 1;
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof lo);
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, 1);
  setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, 1);
  auto g = addr(group, port);
  uint8_t req[251] = {static_cast<uint8_t>(reply_port), static_cast<uint8_t>(reply_port >> 8)};
  using clock = std::chrono::steady_clock;
  auto end = clock::now() + std::chrono::seconds{seconds};
  auto next = clock::now();
  long replies = 0;
  while (clock::now() < end) {
    if (clock::now() >= next) {
      for (int k = 0; k < networks; ++k)
        sendto(fd, req, sizeof req, 0, reinterpret_cast<sockaddr*>(&g), sizeof g);
      next += std::chrono::milliseconds{100};
    }
    pollfd p{fd, POLLIN, 0};
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - clock::now());
    poll(&p, 1, static_cast<int>(std::max<long>(0, wait.count())));
    replies += drain(fd);
  }
  std::printf("%ld replies in %d s: %.0f/s\n", replies, seconds,
              static_cast<double>(replies) / seconds);
  return 0;
}

// The agent's reading of a stream (actors/stream_reading.hpp): after a wake-up in a stream
// the socket is read again stream_pause later, not waited on at once. Without it the floor
// woke for every handful and paid more per datagram than the agent (agent/floor 0.73-1.04 at
// 10,000 hosts once the agent paused): a floor must not lose to it. The floor sees no
// request, so a socket's stream (its period's answers) starts with its first datagram after
// it was last found out of one, and `hosts` of them are due from there.
using hbs::stream_pause;

// Reads every datagram sent to 127.0.0.1 at port + k, network k < networks, for `seconds`,
// as the agent reads its sockets (one per network, a 32 MiB buffer each, recvmmsg batches of
// 64, the stream pause) and does nothing with them. One thread waits on all the sockets, as
// the stock hbsAgent's select loop: a floor on one socket for both networks read twice as
// many datagrams per wake-up and call as any agent can.
int receive(int port, int networks, long hosts, int seconds) {
  if (networks < 1 || networks > 2) {
    std::fprintf(stderr, "udp_floor receive: --networks takes 1 or 2, not %d\n", networks);
    return 2;
  }
  if (hosts < 0) {
    std::fprintf(stderr, "udp_floor receive: --hosts takes 0 or more, not %ld\n", hosts);
    return 2;
  }
  std::vector<pollfd> fds;
  for (int k = 0; k < networks; ++k) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    auto me = addr("127.0.0.1", port + k);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&me), sizeof me) != 0)
      return perror("bind"), 1;
    int size = 32 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size);
    fds.push_back({fd, POLLIN, 0});
  }
  using clock = std::chrono::steady_clock;
  auto end = clock::now() + std::chrono::seconds{seconds};
  long got = 0;
  std::vector<long> in_period(fds.size(), 0); // read since the socket's stream began
  while (clock::now() < end) {
    poll(fds.data(), fds.size(), 100);
    bool stream = false;
    for (size_t k = 0; k < fds.size(); ++k) {
      if (!(fds[k].revents & POLLIN))
        continue;
      auto n = drain(fds[k].fd);
      got += n;
      in_period[k] += n;
      auto due = static_cast<size_t>(std::max(0L, hosts - in_period[k]));
      if (hbs::in_stream(static_cast<size_t>(n), due))
        stream = true;
      else
        in_period[k] = 0;
    }
    if (stream)
      std::this_thread::sleep_for(stream_pause);
  }
  std::printf("%ld datagrams in %d s: %.0f/s\n", got, seconds,
              static_cast<double>(got) / seconds);
  return 0;
}

// The stock hbsClient's loop and nothing else: wait on every network's socket, read one
// request, send a datagram of its size back to its sender's reply port. What one host's
// answering costs this kernel: scripts/bench --client measures it right after hbs-client.
int answer(const std::vector<std::array<int, 2>>& nets, const std::vector<std::string>& ips) {
  std::vector<pollfd> fds;
  std::vector<int> reply_ports;
  for (size_t i = 0; i < nets.size(); ++i) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    auto me = addr(ips[i].c_str(), nets[i][0]);
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&me), sizeof me) != 0)
      return perror("bind"), 1;
    fds.push_back({fd, POLLIN, 0});
    reply_ports.push_back(nets[i][1]);
  }
  uint8_t buf[1024];
  for (;;) {
    if (poll(fds.data(), fds.size(), 1000) <= 0)
      continue;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN))
        continue;
      sockaddr_in from{};
      socklen_t len = sizeof from;
      auto n = recvfrom(fds[i].fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0)
        continue;
      from.sin_port = htons(static_cast<uint16_t>(reply_ports[i]));
      sendto(fds[i].fd, buf, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from),
             sizeof from);
    }
  }
}

} // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "respond") == 0)
    return respond(arg(argc, argv, "--hosts", 100), arg(argc, argv, "--port", 29106));
  if (argc >= 2 && std::strcmp(argv[1], "request") == 0)
    return request(arg(argc, argv, "--port", 29106), arg(argc, argv, "--reply-port", 29103),
                   arg(argc, argv, "--networks", 2), arg(argc, argv, "--seconds", 10));
  if (argc >= 2 && std::strcmp(argv[1], "receive") == 0)
    return receive(arg(argc, argv, "--port", 29107), arg(argc, argv, "--networks", 1),
                   arg(argc, argv, "--hosts", 0), arg(argc, argv, "--seconds", 10));
  if (argc >= 2 && std::strcmp(argv[1], "answer") == 0) {
    std::vector<std::array<int, 2>> nets{
      {arg(argc, argv, "--port", 29306), arg(argc, argv, "--reply-port", 29303)}};
    std::vector<std::string> ips{sarg(argc, argv, "--address", "127.0.0.1")};
    if (const char* a2 = sarg(argc, argv, "--address2", nullptr)) {
      nets.push_back({arg(argc, argv, "--port2", 29316), arg(argc, argv, "--reply-port2", 29313)});
      ips.emplace_back(a2);
    }
    return answer(nets, ips);
  }
  std::fprintf(stderr, "usage: udp_floor respond --hosts N --port P | request --port P "
                       "--reply-port R --networks K --seconds S | receive --port P "
                       "--networks K --hosts N --seconds S | answer --address A --port P "
                       "--reply-port R [--address2 A2 --port2 P2 --reply-port2 R2]\n");
  return 2;
}
