// Checks that span several keys: threshold order, duplicates, addresses, names.
#include <arpa/inet.h>

#include <cctype>
#include <map>

#include <fmt/format.h>

#include "config/config.hpp"

namespace hbs::cfg {

const char* network_key(uint8_t index) {
  return index == management ? "management" : "cluster-host";
}

const char* network_label(uint8_t index) {
  return index == management ? "Mgmnt" : "Clstr";
}

const char* to_string(host_type t) {
  switch (t) {
    case host_type::controller: return "controller";
    case host_type::worker: return "worker";
    case host_type::storage: return "storage";
  }
  return "unknown";
}

const char* to_string(failure_action a) {
  switch (a) {
    case failure_action::fail: return "fail";
    case failure_action::degrade: return "degrade";
    case failure_action::alarm: return "alarm";
    case failure_action::none: return "none";
  }
  return "unknown";
}

bool parse_host_type(std::string_view s, host_type& out) {
  for (auto t : {host_type::controller, host_type::worker, host_type::storage})
    if (s == to_string(t)) {
      out = t;
      return true;
    }
  return false;
}

bool parse_failure_action(std::string_view s, failure_action& out) {
  for (auto a : {failure_action::fail, failure_action::degrade, failure_action::alarm,
                 failure_action::none})
    if (s == to_string(a)) {
      out = a;
      return true;
    }
  return false;
}

std::string check_tuning(uint32_t period_ms, const thresholds& t) {
  if (period_ms < 100 || period_ms > 1000)
    return fmt::format("agent.period_ms = {}: out of range, allowed 100..1000", period_ms);
  if (t.minor < 1 || t.minor > 10000 || t.degrade < 1 || t.degrade > 10000 || t.loss < 2
      || t.loss > 10000)
    return fmt::format("thresholds = {}/{}/{}: out of range, allowed minor 1..10000, degrade "
                       "1..10000, loss 2..10000", t.minor, t.degrade, t.loss);
  if (t.minor > t.degrade)
    return fmt::format("thresholds.minor = {}: greater than degrade ({}); allowed "
                       "minor <= degrade < loss", t.minor, t.degrade);
  if (t.degrade >= t.loss)
    return fmt::format("thresholds.degrade = {}: not below loss ({}); allowed "
                       "minor <= degrade < loss", t.degrade, t.loss);
  return {};
}

file_edits edits(const agent_config& was, const agent_config& now) {
  auto edited = [](uint32_t a, uint32_t b) { return a == b ? 0 : b; };
  return {edited(was.period_ms, now.period_ms), edited(was.limits.minor, now.limits.minor),
          edited(was.limits.degrade, now.limits.degrade),
          edited(was.limits.loss, now.limits.loss), was.action != now.action};
}

const network_config* agent_config::network(uint8_t index) const {
  for (auto& n : networks)
    if (n.index == index)
      return &n;
  return nullptr;
}

std::string agent_config::peer_name() const {
  if (!peer.name.empty())
    return peer.name;
  return controller == "controller-0" ? "controller-1" : "controller-0";
}

bool is_ipv4(std::string_view s) {
  // inet_pton reads a C string: "127.0.0.1\0junk" (a TOML "\u0000") would pass as its prefix.
  in_addr a{};
  return s.find('\0') == std::string_view::npos
         && inet_pton(AF_INET, std::string{s}.c_str(), &a) == 1;
}

namespace {

uint32_t first_octet(std::string_view s) {
  in_addr a{};
  inet_pton(AF_INET, std::string{s}.c_str(), &a);
  return ntohl(a.s_addr) >> 24;
}

void check_networks(const std::vector<network_config>& nets, std::vector<std::string>& pr) {
  for (auto& n : nets) {
    auto key = fmt::format("networks.{}", network_key(n.index));
    if (!is_ipv4(n.local_address))
      pr.push_back(fmt::format("{}.local_address = \"{}\": not an IPv4 address", key,
                               n.local_address));
    if (n.mode == net_mode::multicast && !is_multicast(n.multicast_group))
      pr.push_back(fmt::format("{}.multicast_group = \"{}\": allowed an IPv4 multicast "
                               "address (224.0.0.0/4)", key, n.multicast_group));
    if (n.client_port == n.agent_port)
      pr.push_back(fmt::format("{}.agent_port = {}: must differ from client_port", key,
                               n.agent_port));
  }
  if (nets.size() == 2 && nets[0].local_address == nets[1].local_address
      && nets[0].mode == net_mode::multicast)
    pr.push_back(fmt::format("networks.cluster-host.local_address = \"{}\": the same as "
                             "management; leave cluster-host out instead (reference §2.1)",
                             nets[1].local_address));
}


void check_pulse_auth(const pulse_auth_config& a, std::vector<std::string>& pr) {
  if (a.mode != wire::auth_mode::off && (a.key_file.empty() || a.key_file[0] != '/'))
    pr.push_back(fmt::format("pulse_auth.key_file = \"{}\": an absolute path is needed when "
                             "pulse_auth.mode = \"{}\"", a.key_file, wire::to_string(a.mode)));
}

void check_hosts(const agent_config& c, std::vector<std::string>& pr) {
  if (c.hosts.size() > max_hosts)
    pr.push_back(fmt::format("hosts: {} hosts, allowed at most {}", c.hosts.size(), max_hosts));
  std::map<std::string, size_t> names;
  std::map<std::string, size_t> addrs[2];
  for (size_t i = 0; i < c.hosts.size(); ++i) {
    auto& h = c.hosts[i];
    if (!valid_host_name(h.name))
      pr.push_back(fmt::format("hosts[{}].name = \"{}\": allowed 1..63 characters of "
                               "letters, digits, '-', '.', '_'", i, h.name));
    else if (auto [it, fresh] = names.emplace(h.name, i); !fresh)
      pr.push_back(fmt::format("hosts[{}].name = \"{}\": duplicate host name (also hosts[{}])",
                               i, h.name, it->second));
    const std::string* a[2] = {&h.management, &h.cluster_host};
    for (uint8_t n : {management, cluster_host}) {
      if (a[n]->empty() && n == cluster_host) // optional; every host is on management
        continue;
      auto key = fmt::format("hosts[{}].{}", i, network_key(n));
      if (!is_ipv4(*a[n]))
        pr.push_back(fmt::format("{} = \"{}\": not an IPv4 address", key, *a[n]));
      else if (auto [it, fresh] = addrs[n].emplace(*a[n], i); !fresh)
        pr.push_back(fmt::format("{} = \"{}\": duplicate address (also hosts[{}])", key, *a[n],
                                 it->second));
    }
  }
}

} // namespace

bool valid_host_name(std::string_view n) {
  if (n.empty() || n.size() > max_host_name)
    return false;
  for (char ch : n)
    if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' || ch == '_'))
      return false;
  return true;
}

bool is_loopback(std::string_view s) {
  return is_ipv4(s) && first_octet(s) == 127;
}

bool is_multicast(std::string_view s) {
  return is_ipv4(s) && first_octet(s) >= 224 && first_octet(s) <= 239;
}

void validate(const agent_config& c, std::vector<std::string>& pr) {
  if (auto p = check_tuning(c.period_ms, c.limits); !p.empty())
    pr.push_back(p);
  if (!valid_host_name(c.controller))
    pr.push_back(fmt::format("agent.controller = \"{}\": not a valid host name", c.controller));
  if (c.control_socket.empty() || c.control_socket[0] != '/' || c.control_socket.size() > 107)
    pr.push_back(fmt::format("agent.control_socket = \"{}\": allowed an absolute path of at "
                             "most 107 characters", c.control_socket));
  if (c.control_token.empty() || c.control_token[0] != '/')
    pr.push_back(fmt::format("agent.control_token = \"{}\": allowed an absolute path",
                             c.control_token));
  if (c.mnfa_timeout_s != 0 && c.mnfa_timeout_s < 100)
    pr.push_back(fmt::format("mnfa.timeout_s = {}: allowed 0 (never) or 100..86400",
                             c.mnfa_timeout_s));
  if (c.sm.enabled && !is_loopback(c.sm.address))
    pr.push_back(fmt::format("sm.address = \"{}\": allowed a loopback address (127.0.0.0/8)",
                             c.sm.address));
  for (size_t i = 0; i < c.hooks.size(); ++i)
    if (c.hooks[i].command.empty() || c.hooks[i].command[0] != '/')
      pr.push_back(fmt::format("hooks[{}].command = \"{}\": allowed an absolute path", i,
                               c.hooks[i].command));
  if (c.under_mtc() && !is_ipv4(c.starlingx.mtc_address))
    pr.push_back(fmt::format("starlingx.mtc_address = \"{}\": mode \"starlingx\" needs the "
                             "IPv4 address of \"controller\" (where mtcAgent takes events)",
                             c.starlingx.mtc_address));
  if (c.under_mtc() && !is_loopback(c.starlingx.alarm_address))
    pr.push_back(fmt::format("starlingx.alarm_address = \"{}\": allowed a loopback address "
                             "(mtcalarmd is local)", c.starlingx.alarm_address));
  if (c.metrics.enabled && !is_ipv4(c.metrics.address))
    pr.push_back(fmt::format("metrics.address = \"{}\": not an IPv4 address",
                             c.metrics.address));
  if (!c.peer.address.empty() && !is_ipv4(c.peer.address))
    pr.push_back(fmt::format("peer.address = \"{}\": not an IPv4 address", c.peer.address));
  if (!c.peer.cluster_address.empty() && !is_ipv4(c.peer.cluster_address))
    pr.push_back(fmt::format("peer.cluster_address = \"{}\": not an IPv4 address",
                             c.peer.cluster_address));
  if (!c.peer.address.empty() && c.peer.tls
      && (c.peer.tls_certificate.empty() || c.peer.tls_ca.empty()))
    pr.push_back("peer.tls_certificate / peer.tls_ca: required for the TLS peer link "
                 "(scripts/hbs-keys makes them), or peer.tls = false for a link in the clear");
  if (!c.peer.cluster_address.empty() && c.peer.address.empty())
    pr.push_back("peer.cluster_address: a second path needs peer.address as the first");
  if (!c.peer.cluster_address.empty() && !c.network(cluster_host))
    pr.push_back(fmt::format("peer.cluster_address = \"{}\": no networks.cluster-host to "
                             "publish the second path on", c.peer.cluster_address));
  if (c.peer.name == c.controller && !c.controller.empty())
    pr.push_back(fmt::format("peer.name = \"{}\": the same as agent.controller",
                             c.peer.name));
  if (c.state_dir.empty())
    pr.push_back("agent.state_dir = \"\": must name a directory");
  for (auto& n : c.networks) {
    if (n.local_address == c.peer.address || n.local_address == c.peer.cluster_address)
      pr.push_back(fmt::format("peer address {}: this controller's own {} address: the agent "
                               "would link to itself", n.local_address, network_key(n.index)));
    for (size_t i = 0; i < c.hosts.size(); ++i) {
      auto& h = c.hosts[i];
      bool mine = n.local_address == (n.index == management ? h.management : h.cluster_host);
      if (mine && h.name != c.controller)
        pr.push_back(fmt::format("hosts[{}] ({}) has this controller's own {} address {}: its "
                                 "answers would be taken as this controller's", i, h.name,
                                 network_key(n.index), n.local_address));
    }
  }
  check_networks(c.networks, pr);
  check_hosts(c, pr);
  check_pulse_auth(c.pulse_auth, pr);
}

void validate(const client_config& c, std::vector<std::string>& pr) {
  if (!valid_host_name(c.host))
    pr.push_back(fmt::format("client.host = \"{}\": not a valid host name", c.host));
  if (!c.mtc_address.empty() && !is_ipv4(c.mtc_address))
    pr.push_back(fmt::format("client.mtc_address = \"{}\": not an IPv4 address",
                             c.mtc_address));
  check_networks(c.networks, pr);
  check_pulse_auth(c.pulse_auth, pr);
}

} // namespace hbs::cfg
