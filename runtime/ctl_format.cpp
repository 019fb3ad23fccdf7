#include "runtime/ctl_format.hpp"

#include <ctime>

#include <fmt/format.h>

#include "config/config.hpp"
#include "messages/decode_error.hpp"

namespace hbs::ctl {

namespace {

std::string age(int64_t ms) {
  if (ms < 0)
    return "never";
  if (ms < 10000)
    return fmt::format("{}ms", ms);
  return fmt::format("{}s", ms / 1000);
}

nlohmann::json to_json(const net_status& n) {
  return {{"network", cfg::network_key(n.network)}, {"monitored", n.monitored},
          {"state", n.state}, {"b2b", n.b2b}, {"max_b2b", n.max_b2b},
          {"num_misses", n.num_misses}, {"num_pulses", n.num_pulses},
          {"last_response_age_ms", n.last_response_age_ms}, {"flags", n.flags}};
}

nlohmann::json to_json(const network_counters& c) {
  nlohmann::json drops = nlohmann::json::object();
  for (size_t i = 1; i < c.num_malformed.size(); ++i)
    drops[wire::to_string(static_cast<wire::decode_error>(i))] = c.num_malformed[i];
  return {{"network", cfg::network_key(c.network)}, {"mode", c.mode},
          {"local_address", c.local_address}, {"period_ms", c.period_ms},
          {"sequence", c.sequence}, {"expected", c.expected}, {"responding", c.responding},
          {"num_requests", c.num_requests}, {"num_send_errors", c.num_send_errors},
          {"num_responses", c.num_responses}, {"num_counted", c.num_counted},
          {"num_stale", c.num_stale}, {"num_duplicates", c.num_duplicates},
          {"num_unknown_source", c.num_unknown_source}, {"num_self", c.num_self},
          {"num_wrong_controller", c.num_wrong_controller}, {"num_malformed", drops}};
}

std::string clock_time(int64_t unix_ms) {
  std::time_t t = unix_ms / 1000;
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return fmt::format("{}.{:03}", buf, unix_ms % 1000);
}

} // namespace

nlohmann::json to_json(const agent_status& s) {
  auto nets = nlohmann::json::array();
  for (auto& c : s.networks)
    nets.push_back(to_json(c));
  return {{"controller", s.controller}, {"role", s.role}, {"version", s.version},
          {"num_hosts", s.num_hosts}, {"num_started", s.num_started},
          {"uptime_ms", s.uptime_ms}, {"networks", nets}};
}

nlohmann::json to_json(const host_status& h) {
  auto nets = nlohmann::json::array();
  for (auto& n : h.networks)
    nets.push_back(to_json(n));
  return {{"name", h.name}, {"type", h.type}, {"management", h.management},
          {"cluster_host", h.cluster_host}, {"started", h.started}, {"networks", nets}};
}

nlohmann::json to_json(const std::vector<host_status>& hs) {
  auto out = nlohmann::json::array();
  for (auto& h : hs)
    out.push_back(to_json(h));
  return out;
}

nlohmann::json to_json(const std::vector<event>& es) {
  auto out = nlohmann::json::array();
  for (auto& e : es)
    out.push_back({{"time_ms", e.time_ms}, {"kind", e.kind}, {"controller", e.controller},
                   {"host", e.host}, {"network", e.network}, {"b2b", e.b2b},
                   {"detail", e.detail}, {"acted", e.acted}});
  return out;
}

std::string render(const agent_status& s) {
  std::string out = fmt::format("{} ({}), hbs {}, up {}s, {} hosts in inventory, {} started\n",
                                s.controller, s.role, s.version, s.uptime_ms / 1000, s.num_hosts,
                                s.num_started);
  for (auto& c : s.networks) {
    uint64_t malformed = 0;
    for (auto n : c.num_malformed)
      malformed += n;
    out += fmt::format("  {:<12} {} {} period {}ms seq {}: {}/{} responding; requests {} "
                       "(send errors {}), responses {} counted {} stale {} duplicate {} "
                       "unknown-source {} malformed {}\n",
                       cfg::network_key(c.network), c.mode, c.local_address, c.period_ms,
                       c.sequence, c.responding, c.expected, c.num_requests, c.num_send_errors,
                       c.num_responses, c.num_counted, c.num_stale, c.num_duplicates,
                       c.num_unknown_source, malformed);
  }
  return out;
}

std::string render_hosts(const std::vector<host_status>& hs) {
  std::string out = fmt::format("{:<20} {:<10} {:<13} {:<11} {:>4} {:>8} {:>8}  {}\n", "HOST",
                                "TYPE", "NETWORK", "STATE", "B2B", "MISSES", "PULSES", "LAST");
  for (auto& h : hs) {
    if (h.networks.empty())
      out += fmt::format("{:<20} {:<10} {:<13} {:<11}\n", h.name, h.type, "-", "unmonitored");
    for (auto& n : h.networks)
      out += fmt::format("{:<20} {:<10} {:<13} {:<11} {:>4} {:>8} {:>8}  {}\n", h.name, h.type,
                         cfg::network_key(n.network), n.state, n.b2b, n.num_misses,
                         n.num_pulses, age(n.last_response_age_ms));
  }
  return out;
}

std::string render_host(const host_status& h) {
  std::string out = fmt::format("{} ({}) management {} cluster-host {} {}\n", h.name, h.type,
                                h.management.empty() ? "-" : h.management,
                                h.cluster_host.empty() ? "-" : h.cluster_host,
                                h.started ? "started" : "not started");
  for (auto& n : h.networks)
    out += fmt::format("  {:<13} state {:<11} b2b {:<6} max {:<6} misses {:<8} pulses {:<10} "
                       "last response {} flags 0x{:x}\n",
                       cfg::network_key(n.network), n.state, n.b2b, n.max_b2b, n.num_misses,
                       n.num_pulses, age(n.last_response_age_ms), n.flags);
  return out;
}

std::string render_events(const std::vector<event>& es) {
  std::string out;
  for (auto& e : es)
    out += fmt::format("{} {:<15} {:<20} {:<13} b2b {:<5} {}{}\n", clock_time(e.time_ms), e.kind, e.host,
                       e.network, e.b2b, e.detail, e.acted ? "" : " (inactive: not acted on)");
  return out;
}

} // namespace hbs::ctl
