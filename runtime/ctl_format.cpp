// hbsctl output for the agent and its hosts: status, host tables, the node table, events
// (the cluster-wide views are in ctl_format_cluster.cpp).
#include "runtime/ctl_format.hpp"

#include <ctime>

#include <fmt/format.h>

#include "actors/link_quality.hpp"
#include "actors/state_tally.hpp"
#include "config/config.hpp"
#include "messages/decode_error.hpp"
#include "messages/mtc_message.hpp"
#include "messages/sm_request.hpp"

namespace hbs::ctl {

namespace {

std::string age(int64_t ms) {
  if (ms < 0)
    return "never";
  if (ms < 10000)
    return fmt::format("{}ms", ms);
  return fmt::format("{}s", ms / 1000);
}

// Not measured is null, never a zero.
template <class T>
nlohmann::json measured(T v) {
  return v < 0 ? nlohmann::json(nullptr) : nlohmann::json(v);
}

std::string us_text(int64_t us) {
  if (us < 0)
    return "-";
  if (us < 10000)
    return fmt::format("{}us", us);
  return fmt::format("{:.1f}ms", static_cast<double>(us) / 1000.0);
}

std::string pct_text(double pct) {
  return pct < 0 ? "-" : fmt::format("{:.1f}%", pct);
}

nlohmann::json to_json(const link_row& l) {
  return {{"rtt_p50_us", measured(l.rtt_p50_us)}, {"rtt_p99_us", measured(l.rtt_p99_us)},
          {"rtt_max_us", measured(l.rtt_max_us)}, {"num_rtt_last_minute", l.num_rtt},
          {"loss_1m_pct", measured(l.loss_1m_pct)}, {"loss_1h_pct", measured(l.loss_1h_pct)},
          {"num_flaps", l.num_flaps}};
}

nlohmann::json to_json(const net_status& n) {
  return {{"network", cfg::network_key(n.network)}, {"monitored", n.monitored},
          {"state", n.state}, {"b2b", n.b2b}, {"max_b2b", n.max_b2b},
          {"num_misses", n.num_misses}, {"num_pulses", n.num_pulses},
          {"last_response_age_ms", n.last_response_age_ms}, {"flags", n.flags},
          {"num_minor", n.num_minor}, {"num_degrade", n.num_degrade}, {"num_loss", n.num_loss},
          {"link", to_json(n.link)}};
}

int64_t network_rtt(const network_counters& c, double q) {
  return rtt_quantile_us(c.rtt_buckets.data(), c.rtt_buckets.size(), q, c.rtt_max_us);
}

// Monitored hosts by state; null when the counts were not taken (never zeros in their place).
nlohmann::json hosts_by_state(const network_counters& c) {
  if (c.hosts_by_state.size() != num_health_states)
    return nullptr;
  nlohmann::json out = nlohmann::json::object();
  for (size_t h = 0; h < num_health_states; ++h)
    out[to_string(static_cast<host_health>(h))] = c.hosts_by_state[h];
  return out;
}

nlohmann::json to_json(const network_counters& c) {
  nlohmann::json drops = nlohmann::json::object();
  for (size_t i = 1; i < c.num_malformed.size(); ++i)
    drops[wire::to_string(static_cast<wire::decode_error>(i))] = c.num_malformed[i];
  return {{"network", cfg::network_key(c.network)}, {"mode", c.mode},
          {"hosts_by_state", hosts_by_state(c)},
          {"local_address", c.local_address}, {"period_ms", c.period_ms},
          {"sequence", c.sequence}, {"expected", c.expected}, {"responding", c.responding},
          {"num_requests", c.num_requests}, {"num_send_errors", c.num_send_errors},
          {"num_responses", c.num_responses}, {"num_counted", c.num_counted},
          {"num_stale", c.num_stale}, {"num_duplicates", c.num_duplicates},
          {"num_unknown_source", c.num_unknown_source}, {"num_self", c.num_self},
          {"num_wrong_controller", c.num_wrong_controller}, {"num_malformed", drops},
          {"pulse_auth", {{"mode", c.auth_mode}, {"num_unsigned", c.num_unsigned},
                          {"num_bad_mac", c.num_bad_mac}, {"num_replayed", c.num_replayed}}},
          {"local_health", {{"num_judged", c.num_judged},
                            {"num_stalled_short_window", c.num_stalled_short},
                            {"num_stalled_socket_overflow", c.num_stalled_overflow},
                            {"num_stalled_send_failed", c.num_stalled_send},
                            {"num_judged_anyway", c.num_judged_anyway},
                            {"num_late_ticks", c.num_late_ticks},
                            {"num_skipped_periods", c.num_skipped_periods},
                            {"num_socket_drops", c.num_socket_drops},
                            {"max_lateness_ms", c.max_lateness_ms},
                            {"busy_p50_us", c.busy_p50_us}, {"busy_p99_us", c.busy_p99_us},
                            {"busy_max_us", c.busy_max_us},
                            {"busy_cpu_p50_us", c.busy_cpu_p50_us},
                            {"busy_cpu_p99_us", c.busy_cpu_p99_us},
                            {"busy_cpu_max_us", c.busy_cpu_max_us}}},
          {"rtt_last_minute", {{"p50_us", measured(network_rtt(c, 0.5))},
                               {"p99_us", measured(network_rtt(c, 0.99))},
                               {"max_us", measured(c.rtt_max_us)}}}};
}

// Every reason a datagram was not counted, only those that happened.
std::string dropped_by_reason(const network_counters& c) {
  std::string out;
  auto add = [&](const char* why, uint64_t n) {
    if (n > 0)
      out += fmt::format("{}{} {}", out.empty() ? "" : ", ", why, n);
  };
  add("stale", c.num_stale);
  add("duplicate", c.num_duplicates);
  add("unknown-source", c.num_unknown_source);
  add("own-address", c.num_self);
  add("wrong-controller", c.num_wrong_controller);
  add("bad-signature", c.num_bad_mac);
  add("replayed", c.num_replayed);
  if (c.auth_mode == "require")
    add("unsigned", c.num_unsigned);
  for (size_t i = 1; i < c.num_malformed.size(); ++i)
    add(wire::to_string(static_cast<wire::decode_error>(i)), c.num_malformed[i]);
  return out.empty() ? "none" : out;
}

} // namespace

std::string clock_time(int64_t unix_ms) {
  std::time_t t = unix_ms / 1000;
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return fmt::format("{}.{:03}", buf, unix_ms % 1000);
}

nlohmann::json to_json(const agent_status& s) {
  auto nets = nlohmann::json::array();
  for (auto& c : s.networks)
    nets.push_back(to_json(c));
  auto files = nlohmann::json::array();
  for (auto& f : s.files)
    files.push_back({{"file", f.file}, {"ok", f.ok}, {"num_failures", f.num_failures},
                     {"last_error", f.last_error}, {"failing_for_ms", f.failing_for_ms}});
  nlohmann::json out{{"controller", s.controller}, {"role", s.role},
                     {"role_note", s.role_note}, {"epoch", s.epoch}, {"version", s.version},
                     {"failure_action", s.action}, {"period_ms", s.period_ms},
                     {"thresholds", {{"minor", s.minor}, {"degrade", s.degrade},
                                     {"loss", s.loss}}},
                     {"num_hosts", s.num_hosts}, {"num_started", s.num_started},
                     {"num_eclipsed", s.num_eclipsed},
                     {"uptime_ms", s.uptime_ms}, {"networks", nets}, {"files", files}};
  if (s.sm.enabled) {
    nlohmann::json rejected = nlohmann::json::object();
    for (size_t i = 1; i < s.sm.num_rejected.size(); ++i)
      rejected[to_string(static_cast<sm_error>(i))] = s.sm.num_rejected[i];
    out["sm"] = {{"num_queries", s.sm.num_queries}, {"num_beats", s.sm.num_beats},
                 {"num_pushes", s.sm.num_pushes}, {"num_send_errors", s.sm.num_send_errors},
                 {"num_kernel_drops", s.sm.num_kernel_drops}, {"num_rejected", rejected}};
  }
  if (s.mtc.enabled) {
    nlohmann::json rejected = nlohmann::json::object();
    for (size_t i = 1; i < s.mtc.num_rejected.size(); ++i)
      rejected[wire::to_string(static_cast<wire::mtc_error>(i))] = s.mtc.num_rejected[i];
    out["mtc"] = {{"inventory", s.mtc.inventory}, {"num_commands", s.mtc.num_commands},
                  {"num_events", s.mtc.num_events},
                  {"num_alarm_requests", s.mtc.num_alarm_requests},
                  {"num_send_errors", s.mtc.num_send_errors},
                  {"num_kernel_drops", s.mtc.num_kernel_drops}, {"num_rejected", rejected}};
  }
  return out;
}

nlohmann::json to_json(const host_status& h) {
  auto nets = nlohmann::json::array();
  for (auto& n : h.networks)
    nets.push_back(to_json(n));
  return {{"name", h.name}, {"type", h.type}, {"management", h.management},
          {"cluster_host", h.cluster_host}, {"started", h.started}, {"networks", nets},
          {"eclipsed", h.eclipsed}};
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
                   {"detail", e.detail}, {"acted", e.acted}, {"epoch", e.epoch}});
  return out;
}

std::string render(const agent_status& s) {
  std::string out = fmt::format("{} ({}), hbs {}, up {}s, {} hosts in inventory, {} started\n",
                                s.controller, s.role, s.version, s.uptime_ms / 1000, s.num_hosts,
                                s.num_started);
  if (s.num_eclipsed > 0)
    out += fmt::format("  {:<12} {} ECLIPSED host(s): in the inventory, not heartbeated, "
                       "another host holds the address (hbsctl hosts)\n", "inventory",
                       s.num_eclipsed);
  out += fmt::format("  {:<12} {}\n", "role", s.role_note);
  out += fmt::format("  {:<12} period {} ms, thresholds minor {} degrade {} loss {}, failure "
                     "action {}\n", "tuning", s.period_ms, s.minor, s.degrade, s.loss, s.action);
  for (auto& f : s.files)
    if (!f.ok)
      out += fmt::format("  {:<12} WRITES FAILING for {} s ({} failures): {}: {}\n", "state",
                         f.failing_for_ms / 1000, f.num_failures, f.file, f.last_error);
  for (auto& c : s.networks) {
    out += fmt::format("  {:<12} {} {} period {}ms seq {}: {}/{} responding; requests {} "
                       "(send errors {}), responses {} counted {}\n",
                       cfg::network_key(c.network), c.mode, c.local_address, c.period_ms,
                       c.sequence, c.responding, c.expected, c.num_requests, c.num_send_errors,
                       c.num_responses, c.num_counted);
    if (auto& h = c.hosts_by_state; h.size() == num_health_states)
      out += fmt::format("  {:<12} hosts: {} ok, {} minor, {} degraded, {} lost\n", "", h[0],
                         h[1], h[2], h[3]);
    out += fmt::format("  {:<12} not counted: {}\n", "", dropped_by_reason(c));
    out += fmt::format("  {:<12} local health: {} periods judged ({} after a long stall), {} "
                       "stalled (short window {}, request not sent {}, socket overflow {}: {} "
                       "datagrams dropped by the kernel)\n", "", c.num_judged,
                       c.num_judged_anyway, c.num_stalled_short + c.num_stalled_overflow
                         + c.num_stalled_send, c.num_stalled_short, c.num_stalled_send,
                       c.num_stalled_overflow, c.num_socket_drops);
    out += fmt::format("  {:<12} {} late ticks ({} periods skipped, worst {} ms); busy per "
                       "period over the last minute: p50 {} us, p99 {} us, max {} us (of it "
                       "on a core: {} / {} / {} us)\n", "",
                       c.num_late_ticks, c.num_skipped_periods, c.max_lateness_ms,
                       c.busy_p50_us, c.busy_p99_us, c.busy_max_us, c.busy_cpu_p50_us,
                       c.busy_cpu_p99_us, c.busy_cpu_max_us);
    out += fmt::format("  {:<12} round trips over the last minute, every host: p50 {}, p99 {}, "
                       "max {}\n", "", us_text(network_rtt(c, 0.5)), us_text(network_rtt(c, 0.99)),
                       us_text(c.rtt_max_us));
  }
  if (s.sm.enabled) {
    std::string rejected;
    for (size_t i = 1; i < s.sm.num_rejected.size(); ++i)
      if (s.sm.num_rejected[i] > 0)
        rejected += fmt::format("{}{} {}", rejected.empty() ? "" : ", ",
                                to_string(static_cast<sm_error>(i)), s.sm.num_rejected[i]);
    out += fmt::format("  {:<12} queries {}, beats {}, pushes {}, send errors {}, dropped by the "
                       "kernel {}; rejected: {}\n", "sm", s.sm.num_queries, s.sm.num_beats,
                       s.sm.num_pushes, s.sm.num_send_errors, s.sm.num_kernel_drops,
                       rejected.empty() ? "none" : rejected);
  }
  if (s.mtc.enabled) {
    std::string rejected;
    for (size_t i = 1; i < s.mtc.num_rejected.size(); ++i)
      if (s.mtc.num_rejected[i] > 0)
        rejected += fmt::format("{}{} {}", rejected.empty() ? "" : ", ",
                                wire::to_string(static_cast<wire::mtc_error>(i)),
                                s.mtc.num_rejected[i]);
    out += fmt::format("  {:<12} commands {}{}, dropped by the kernel {}, events {}, alarm "
                       "requests {}, send errors {}; rejected: {}\n", "mtcAgent",
                       s.mtc.num_commands,
                       s.mtc.inventory ? "" : " (no inventory yet: READY every 5 s)",
                       s.mtc.num_kernel_drops, s.mtc.num_events, s.mtc.num_alarm_requests,
                       s.mtc.num_send_errors, rejected.empty() ? "none" : rejected);
  }
  return out;
}

std::string render_hosts(const std::vector<host_status>& hs) {
  std::string out = fmt::format("{:<20} {:<10} {:<13} {:<11} {:>4} {:>8} {:>8} {:>9} {:>9} "
                                "{:>7} {:>5}  {}\n", "HOST", "TYPE", "NETWORK", "STATE", "B2B",
                                "MISSES", "PULSES", "RTT-P50", "RTT-P99", "LOSS1M", "FLAPS",
                                "LAST");
  for (auto& h : hs) {
    if (!h.eclipsed.empty())
      out += fmt::format("{:<20} {:<10} {:<13} {:<11} ({})\n", h.name, h.type, "-", "eclipsed",
                         h.eclipsed);
    else if (h.networks.empty())
      out += fmt::format("{:<20} {:<10} {:<13} {:<11}\n", h.name, h.type, "-", "unmonitored");
    for (auto& n : h.networks)
      out += fmt::format("{:<20} {:<10} {:<13} {:<11} {:>4} {:>8} {:>8} {:>9} {:>9} {:>7} {:>5}  "
                         "{}\n", h.name, h.type, cfg::network_key(n.network), n.state, n.b2b,
                         n.num_misses, n.num_pulses, us_text(n.link.rtt_p50_us),
                         us_text(n.link.rtt_p99_us), pct_text(n.link.loss_1m_pct),
                         n.link.num_flaps, age(n.last_response_age_ms));
  }
  return out;
}

std::string render_node_table(const std::vector<host_status>& hs, bool every_row) {
  std::string out = fmt::format("{:<20} {:<13} {:<11} {:>3} {:>8} {:>6} {:>5} {:>7} {:>5} "
                                "{:>10}\n", "HOST", "NETWORK", "STATE", "MON", "MISSES",
                                "MAXB2B", "MINOR", "DEGRADE", "FAILS", "PULSES");
  size_t quiet = 0;
  for (auto& h : hs)
    if (!h.eclipsed.empty())
      out += fmt::format("{:<20} {:<13} {:<11} ({})\n", h.name, "-", "eclipsed", h.eclipsed);
  for (auto& h : hs)
    for (auto& n : h.networks) {
      // Thousands of healthy rows would be written at once, on the agent's threads, at every
      // audit: those are counted, not listed.
      if (!every_row && (n.state == "ok" || n.state == "unmonitored") && n.num_minor == 0
          && n.num_degrade == 0 && n.num_loss == 0) {
        ++quiet;
        continue;
      }
      out += fmt::format("{:<20} {:<13} {:<11} {:>3} {:>8} {:>6} {:>5} {:>7} {:>5} {:>10}\n",
                         h.name, cfg::network_key(n.network), n.state, n.monitored ? "yes" : "no",
                         n.num_misses, n.max_b2b, n.num_minor, n.num_degrade, n.num_loss,
                         n.num_pulses);
    }
  if (quiet > 0)
    out += fmt::format("({} more host/network rows: ok or unmonitored, no outage since started)\n",
                       quiet);
  return out;
}

std::string render_host(const host_status& h) {
  std::string out = fmt::format("{} ({}) management {} cluster-host {} {}\n", h.name, h.type,
                                h.management.empty() ? "-" : h.management,
                                h.cluster_host.empty() ? "-" : h.cluster_host,
                                h.started ? "started" : "not started");
  if (!h.eclipsed.empty())
    out += fmt::format("  ECLIPSED, not heartbeated nor counted: {} (hbsctl del the host "
                       "not wanted, or give this one another address)\n", h.eclipsed);
  for (auto& n : h.networks)
    out += fmt::format("  {:<13} state {:<11} b2b {:<6} max {:<6} misses {:<8} pulses {:<10} "
                       "last response {} flags 0x{:x}\n",
                       cfg::network_key(n.network), n.state, n.b2b, n.max_b2b, n.num_misses,
                       n.num_pulses, age(n.last_response_age_ms), n.flags);
  for (auto& n : h.networks)
    out += fmt::format("  {:<13} outages since started: {} minor, {} degrade, {} loss\n",
                       cfg::network_key(n.network), n.num_minor, n.num_degrade, n.num_loss);
  for (auto& n : h.networks)
    out += fmt::format("  {:<13} round trip p50 {} p99 {} max {} ({} in the last minute); "
                       "unanswered periods {} over the last minute, {} over the hour; {} "
                       "flap(s)\n", cfg::network_key(n.network), us_text(n.link.rtt_p50_us),
                       us_text(n.link.rtt_p99_us), us_text(n.link.rtt_max_us), n.link.num_rtt,
                       pct_text(n.link.loss_1m_pct), pct_text(n.link.loss_1h_pct),
                       n.link.num_flaps);
  return out;
}

std::string render_events(const std::vector<event>& es) {
  std::string out;
  for (auto& e : es)
    out += fmt::format("{} {:<15} {:<20} {:<13} b2b {:<5} {}{}\n", clock_time(e.time_ms),
                       e.kind, e.host, e.network, e.b2b, e.detail,
                       e.acted ? "" : " (inactive: not acted on)");
  return out;
}

} // namespace hbs::ctl
