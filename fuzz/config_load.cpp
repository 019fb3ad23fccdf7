// Configuration text, as hbs-agent --config and hbs-client --config read it, parsed as both
// an agent and a client config. Problems are returned by value, one line each (they go to
// the log and to hbs-agent --check), and what validates is what the services will use.
#include <arpa/inet.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "fuzz/check.hpp"

using namespace hbs::cfg;

namespace {

// An accepted address is exactly the dotted quad the sockets will be given: it survives
// inet_pton -> inet_ntop unchanged (no trailing bytes hidden behind a NUL, for one).
bool exact_ipv4(const std::string& s) {
  in_addr a{};
  char back[INET_ADDRSTRLEN] = {};
  return inet_pton(AF_INET, s.c_str(), &a) == 1
         && inet_ntop(AF_INET, &a, back, sizeof back) != nullptr && s == back;
}

template <class Config>
void check_problems(const loaded<Config>& l) {
  for (auto& p : l.problems) {
    FUZZ_CHECK(!p.empty());
    for (char c : p)
      FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  }
}

void check_networks(const std::vector<network_config>& nets) {
  FUZZ_CHECK(!nets.empty() && nets.size() <= 2);
  FUZZ_CHECK(nets[0].index == management);
  for (auto& n : nets) {
    FUZZ_CHECK(exact_ipv4(n.local_address));
    FUZZ_CHECK(n.mode != net_mode::multicast || exact_ipv4(n.multicast_group));
  }
}

template <class Parse>
auto parse_no_throw(Parse parse, std::string_view text) -> decltype(parse(text, "")) {
  try {
    return parse(text, "fuzz.toml");
  } catch (...) {
    FUZZ_CHECK(!"a config parser threw; problems must be returned by value");
  }
  return {};
}

// Parsed without an exception, problems well formed, and an accepted config passes
// validation again and holds exact addresses on its networks. True when accepted.
template <class Parse, class Loaded>
bool accepted(Parse parse, std::string_view text, Loaded& l) {
  l = parse_no_throw(parse, text);
  check_problems(l);
  if (!l.ok())
    return false;
  std::vector<std::string> again;
  validate(l.config, again);
  FUZZ_CHECK(again.empty());
  check_networks(l.config.networks);
  return true;
}

void check_agent(std::string_view text) {
  loaded<agent_config> l;
  if (!accepted(parse_agent_config, text, l))
    return;
  FUZZ_CHECK(!l.config.control_socket.empty());
  FUZZ_CHECK(!l.config.sm.enabled || exact_ipv4(l.config.sm.address));
  FUZZ_CHECK(l.config.peer.address.empty() || exact_ipv4(l.config.peer.address));
  for (auto& h : l.config.hosts) {
    FUZZ_CHECK(exact_ipv4(h.management));
    FUZZ_CHECK(h.cluster_host.empty() || exact_ipv4(h.cluster_host));
  }
  auto& t = l.config.limits;
  FUZZ_CHECK(t.minor <= t.degrade && t.degrade < t.loss);
}

void check_client(std::string_view text) {
  loaded<client_config> l;
  accepted(parse_client_config, text, l);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  check_agent(text);
  check_client(text);
  return 0;
}
