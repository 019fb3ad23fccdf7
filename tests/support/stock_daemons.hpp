#pragma once
// The interop fixture: datagrams exactly as the stock StarlingX daemons put them on the wire
// (reference §3), built from the offset tables with `golden`, never with hbs's encoder, so a
// codec that drifts from the stock layout fails here.
// - A stock hbsAgent sizes each request from the histories in its whole store: once it holds
//   the peer's histories the request is padded with zeros to 339 or 427 bytes while the
//   cluster header still declares only its own. It sends from an ephemeral port.
// - A stock hbsClient answers exactly 63 + 12 + 88 x histories; a legacy (version 0) client
//   answers with the 63-byte header alone, without controller bits.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/golden.hpp"
#include "tests/support/sim_network.hpp"

namespace hbs::test {

struct stock_pulse {
  bool request = true;
  std::string name = "worker-0"; // clue owner (request) or responder
  uint32_t sequence = 1;
  uint32_t clue = 0;
  uint32_t flags = 0;            // controller bits included
  uint32_t version = 1;
  uint8_t controller = 0;        // whose histories the block carries
  uint8_t histories = 2;         // declared in the cluster header
  uint8_t stored = 2;            // histories in the sender's store: sets the datagram size
};

inline uint32_t load_le32(const uint8_t* p) {
  return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// 63 + 12 + 88 x max(histories, stored) bytes (histories as golden::hist writes them);
// version 0 with nothing stored: the 63-byte header alone, else zeros up to that size.
inline std::vector<uint8_t> stock_bytes(const stock_pulse& p) {
  size_t size = 63 + 12 + 88 * std::max(p.histories, p.stored);
  golden g{p.version == 0 && p.stored == 0 ? size_t{63} : size};
  g.text(0, p.request ? "cgts pulse req:" : "cgts pulse rsp:").text(15, p.name);
  g.u32(47, p.sequence).u32(51, p.clue).u32(55, p.flags).u32(59, p.version);
  if (p.version == 0)
    return g.b;
  g.cluster(63, 0, 100, 0, p.histories);
  for (uint8_t i = 0; i < p.histories; ++i)
    g.hist(75 + 88 * i, static_cast<uint16_t>(p.controller | (i << 4)), 3, 3);
  return g.b;
}

// A stock hbsAgent's sockets: requests leave from an ephemeral port, responses come back to
// the agent port (2103) of the same address.
struct stock_agent {
  std::shared_ptr<sim_socket> tx;
  std::shared_ptr<sim_socket> rx;
  std::vector<datagram> received;

  stock_agent(sim_network& net, const std::string& addr, uint16_t ephemeral = 40311,
              uint16_t agent_port = 2103)
    : tx(net.bind(addr, ephemeral)), rx(net.bind(addr, agent_port)) {
    rx->on_readable([this] {
      datagram d[8];
      for (size_t n; (n = rx->receive(d, 8)) > 0;)
        received.insert(received.end(), d, d + n);
      rx->rearm();
    });
    rx->rearm();
  }

  stock_agent(const stock_agent&) = delete; // the readiness callback holds `this`
  stock_agent& operator=(const stock_agent&) = delete;

  void send(const std::string& to, uint16_t port, const std::vector<uint8_t>& bytes) {
    outgoing o{parse_ipv4(to), 0, port, static_cast<uint16_t>(bytes.size()), bytes.data()};
    tx->send(&o, 1);
  }
};

// A stock hbsClient that answers every request synchronously: version 1 with the request's
// block echoed (one controller, nothing to cross) at the exact size, or a legacy client.
struct stock_client {
  std::shared_ptr<sim_socket> sock;
  std::string name;
  bool legacy = false;
  uint16_t agent_port = 2103;
  uint32_t extra_flags = 0; // e.g. its stall monitor's bits (reference §3.3)
  uint64_t num_answered = 0;

  stock_client(sim_network& net, const std::string& addr, uint16_t client_port,
               std::string host, bool legacy_v0 = false)
    : sock(net.bind(addr, client_port)), name(std::move(host)), legacy(legacy_v0) {
    sock->on_readable([this] {
      datagram d[8];
      for (size_t n; (n = sock->receive(d, 8)) > 0;)
        for (size_t i = 0; i < n; ++i)
          answer(d[i]);
      sock->rearm();
    });
    sock->rearm();
  }

  stock_client(const stock_client&) = delete; // the readiness callback holds `this`
  stock_client& operator=(const stock_client&) = delete;

  void answer(const datagram& req) {
    std::vector<uint8_t> rsp;
    if (legacy) { // pre-cluster client: header only, its own flags, no controller bits
      golden g{63};
      g.text(0, "cgts pulse rsp:").text(15, name);
      g.u32(47, load_le32(&req.data[47])).u32(51, load_le32(&req.data[51])).u32(55, 1);
      rsp = std::move(g.b);
    } else {
      size_t bytes = req.data[71] | (req.data[72] << 8);
      rsp.assign(req.data.begin(), req.data.begin() + 63 + bytes); // padding not echoed
      golden g{0};
      g.b = std::move(rsp);
      g.text(0, "cgts pulse rsp:").text(15, std::string(32, '\0')).text(15, name);
      g.u32(55, (req.data[56] & 0x3u) << 8 | 1u | extra_flags); // controller bits, pmond
      rsp = std::move(g.b);
    }
    outgoing o{req.addr, 0, agent_port, static_cast<uint16_t>(rsp.size()), rsp.data()};
    ++num_answered;
    sock->send(&o, 1);
  }
};

} // namespace hbs::test
