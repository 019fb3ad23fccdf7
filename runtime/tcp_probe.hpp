#pragma once
// A timed TCP connect: the peer link probes an address with it before CAF's middleman
// connects, whose own connect blocks for minutes on a partitioned (silent) address.

#include <cstdint>
#include <string>

namespace hbs {

// A TCP connect to address:port that gives up after timeout_ms; "" when it was accepted.
std::string probe_tcp(const std::string& address, uint16_t port, int timeout_ms);

} // namespace hbs
