// Hostile input on the wire (issue 7 §4), for tests and scripts/flood: sends a bounded mix of
// bad datagrams at an agent's response ports, from loopback addresses only.
//   udp-flood --target 127.0.0.1:2103 [--target ...] --rate 50000 --seconds 5
//             --hosts-base 127.1.0.1 --hosts 100 [--controller 0]
// Six kinds in equal shares: garbage (random bytes), truncated and oversized responses,
// responses from addresses not in inventory (127.9.x.y), responses from inventoried hosts
// with the other controller's bit (forged), and replays of old sequences (1..50) from
// inventoried hosts. Prints progress each second and a JSON line of what it sent per kind.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "messages/pulse.hpp"

namespace {

using namespace hbs;

struct target { sockaddr_in to{}; };
enum kind { garbage, truncated, oversized, unknown_source, forged, replayed, num_kinds };
const char* kind_names[] = {"garbage", "truncated", "oversized", "unknown_source",
                            "forged_controller", "replayed"};

uint32_t ipv4(const std::string& s) {
  in_addr a{};
  if (inet_pton(AF_INET, s.c_str(), &a) != 1)
    return 0;
  return ntohl(a.s_addr);
}

int bound_socket(uint32_t addr) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    std::perror("udp-flood: bind");
    std::exit(1);
  }
  return fd;
}

size_t response(uint8_t* out, size_t cap, const std::string& name, uint32_t seq,
                uint32_t controller) {
  wire::pulse p;
  p.sequence = seq;
  p.flags = controller << wire::controller_shift;
  p.set_name(name);
  return wire::encode_pulse(wire::pulse_kind::response, p, {out, cap});
}

struct options {
  std::vector<sockaddr_in> targets;
  long rate = 50000;
  double seconds = 5;
  uint32_t hosts_base = 0;
  uint32_t hosts = 0;
  uint32_t controller = 0;
};

bool parse(int argc, char** argv, options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--target") {
      auto colon = v.find(':');
      uint32_t a = ipv4(v.substr(0, colon));
      if (colon == std::string::npos || (a >> 24) != 127)
        return std::fprintf(stderr, "udp-flood: --target must be 127.x.y.z:PORT\n"), false;
      sockaddr_in t{};
      t.sin_family = AF_INET;
      t.sin_addr.s_addr = htonl(a);
      t.sin_port = htons(static_cast<uint16_t>(std::stoi(v.substr(colon + 1))));
      o.targets.push_back(t);
    } else if (k == "--rate") {
      o.rate = std::stol(v);
    } else if (k == "--seconds") {
      o.seconds = std::stod(v);
    } else if (k == "--hosts-base") {
      o.hosts_base = ipv4(v);
    } else if (k == "--hosts") {
      o.hosts = static_cast<uint32_t>(std::stoul(v));
    } else if (k == "--controller") {
      o.controller = static_cast<uint32_t>(std::stoul(v));
    } else {
      return std::fprintf(stderr, "udp-flood: unknown option %s\n", k.c_str()), false;
    }
  }
  if (o.targets.empty() || o.rate <= 0 || o.rate > 200000 || o.seconds <= 0 || o.seconds > 60
      || o.hosts == 0 || (o.hosts_base >> 24) != 127) {
    std::fprintf(stderr, "usage: udp-flood --target 127.x.y.z:PORT [--target ...] --rate 1..200000"
                 " --seconds 0..60 --hosts-base 127.x.y.z --hosts N [--controller 0|1]\n");
    return false;
  }
  return true;
}

} // namespace

int main(int argc, char** argv) {
  options o;
  try {
    if (!parse(argc, argv, o))
      return 2;
  } catch (const std::exception&) {
    std::fprintf(stderr, "udp-flood: a number was expected\n");
    return 2;
  }
  std::mt19937 rng{42};
  int junk = bound_socket(ipv4("127.9.255.254"));
  std::vector<int> strangers, insiders;
  for (uint32_t i = 0; i < 16; ++i)
    strangers.push_back(bound_socket(ipv4("127.9.0.1") + i));
  for (uint32_t i = 0; i < std::min<uint32_t>(o.hosts, 64); ++i)
    insiders.push_back(bound_socket(o.hosts_base + i));
  uint64_t sent[num_kinds] = {};
  // Each 10 ms: a slice of every kind, one sendmmsg per source socket (junk, one stranger,
  // one inventoried host), so 50,000 datagrams/s cost the sender little.
  const long per_tick = std::max<long>(num_kinds, o.rate / 100);
  std::vector<std::array<uint8_t, 700>> bufs(static_cast<size_t>(per_tick));
  std::vector<mmsghdr> msgs(bufs.size());
  std::vector<iovec> iov(bufs.size());
  std::vector<kind> kinds(bufs.size());
  auto start = std::chrono::steady_clock::now();
  auto next = start;
  long total = static_cast<long>(o.rate * o.seconds);
  long done = 0;
  int last_report = 0;
  while (done < total) {
    auto host = static_cast<uint32_t>(rng() % insiders.size());
    std::string name = "sim-" + std::to_string(host);
    int fds[3] = {junk, strangers[rng() % strangers.size()], insiders[host]};
    size_t used = 0;
    for (int group = 0; group < 3; ++group) {
      size_t first = used;
      for (long i = 0; i < per_tick && done + static_cast<long>(used) < total; ++i) {
        auto k = static_cast<kind>(i % num_kinds);
        int g = k <= oversized ? 0 : k == unknown_source ? 1 : 2;
        if (g != group)
          continue;
        auto* buf = bufs[used].data();
        size_t n = 0;
        switch (k) {
          case garbage:
            n = 1 + rng() % 512;
            for (size_t b = 0; b < n; ++b)
              buf[b] = static_cast<uint8_t>(rng());
            break;
          case truncated:
            n = response(buf, 700, name, 1, o.controller);
            n = rng() % n;
            break;
          case oversized:
            n = response(buf, 700, name, 1, o.controller);
            std::memset(buf + n, 0xA5, 700 - n);
            n = 600;
            break;
          case unknown_source:
            n = response(buf, 700, "intruder", 1 + rng() % 50, o.controller);
            break;
          case forged:
            n = response(buf, 700, name, 1 + rng() % 50, 1 - o.controller);
            break;
          case replayed:
            n = response(buf, 700, name, 1 + rng() % 50, o.controller);
            break;
          case num_kinds: break;
        }
        iov[used] = {buf, n};
        msgs[used] = {};
        msgs[used].msg_hdr.msg_iov = &iov[used];
        msgs[used].msg_hdr.msg_iovlen = 1;
        auto& to = o.targets[(static_cast<size_t>(done) + used) % o.targets.size()];
        msgs[used].msg_hdr.msg_name = const_cast<sockaddr_in*>(&to);
        msgs[used].msg_hdr.msg_namelen = sizeof to;
        kinds[used++] = k;
      }
      for (size_t at = first; at < used;) {
        int r = sendmmsg(fds[group], &msgs[at], static_cast<unsigned>(used - at), 0);
        if (r <= 0)
          break; // counted as not sent; the receiver's counters are compared with `sent`
        for (int j = 0; j < r; ++j)
          ++sent[kinds[at + static_cast<size_t>(j)]];
        at += static_cast<size_t>(r);
      }
    }
    done += static_cast<long>(used);
    next += std::chrono::milliseconds{10};
    std::this_thread::sleep_until(next);
    int secs = static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(
                                  std::chrono::steady_clock::now() - start).count());
    if (secs > last_report) {
      last_report = secs;
      std::fprintf(stderr, "udp-flood: %ds, %ld of %ld datagrams sent\n", secs, done, total);
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"seconds\":%.2f,\"rate\":%.0f", secs, static_cast<double>(done) / secs);
  for (int k = 0; k < num_kinds; ++k)
    std::printf(",\"%s\":%lu", kind_names[k], static_cast<unsigned long>(sent[k]));
  std::printf("}\n");
  return 0;
}
