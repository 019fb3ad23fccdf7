// hbsctl output for the cluster-wide views: the vault, the peer link, SM's reading of the
// vault, alarms and MNFA (the agent's and hosts' own are in ctl_format.cpp).
#include "runtime/ctl_format.hpp"

#include <array>

#include <fmt/format.h>

#include "config/config.hpp"

namespace hbs::ctl {

namespace {

// Entries oldest to newest as "e:r", a repeat of the previous entry as "." (StarlingX view).
std::string strip(const history_view& h, size_t last) {
  std::string out;
  size_t from = h.enabled.size() > last ? h.enabled.size() - last : 0;
  for (size_t i = from; i < h.enabled.size(); ++i) {
    bool repeat = i > from && h.enabled[i] == h.enabled[i - 1]
                  && h.responding[i] == h.responding[i - 1];
    out += repeat ? " ." : fmt::format(" {}:{}", h.enabled[i], h.responding[i]);
  }
  return out;
}

struct sm_controller_view {
  bool present = false;
  uint16_t max_responding = 0;
  bool storage0_responding = false;
  bool sm_heartbeat_fail = false;
};

std::array<sm_controller_view, 2> sm_reading(const wire::cluster_block& v) {
  std::array<sm_controller_view, 2> out{};
  for (uint8_t i = 0; i < v.num_histories; ++i) {
    auto& h = v.histories[i];
    auto& c = out[h.controller & 1];
    c.present = true;
    c.max_responding = std::max(c.max_responding, h.newest().responding);
    c.storage0_responding = c.storage0_responding || h.storage0_responding;
    c.sm_heartbeat_fail = c.sm_heartbeat_fail || h.sm_heartbeat_fail;
  }
  return out;
}

} // namespace

nlohmann::json to_json(const vault_view& v) {
  auto hs = nlohmann::json::array();
  for (auto& h : v.histories)
    hs.push_back({{"controller", h.controller}, {"network", cfg::network_key(h.network)},
                  {"sm_heartbeat_fail", h.sm_heartbeat_fail},
                  {"storage0_responding", h.storage0_responding},
                  {"enabled", h.enabled}, {"responding", h.responding}});
  return {{"controller", v.controller}, {"period_msec", v.period_msec},
          {"storage0_enabled", v.storage0_enabled}, {"locked", v.locked},
          {"sm_heartbeat_fail", v.sm_heartbeat_fail}, {"num_pushes", v.num_pushes},
          {"num_sm_beats", v.num_sm_beats}, {"last_reasons", v.last_reasons},
          {"histories", hs}};
}

nlohmann::json to_json(const peer_status& p) {
  return {{"controller", p.controller}, {"role", p.role}, {"peer", p.peer},
          {"endpoint", p.endpoint}, {"path", p.path}, {"link_up", p.link_up},
          {"last_contact_age_ms", p.last_contact_age_ms}, {"num_link_ups", p.num_link_ups},
          {"num_link_downs", p.num_link_downs}, {"generation", p.generation},
          {"designation", p.designation}, {"epoch", p.epoch}, {"peer_locked", p.peer_locked},
          {"num_syncs", p.num_syncs}, {"num_refused", p.num_refused},
          {"num_unsent", p.num_unsent}, {"tls", p.tls}, {"num_tls_refused", p.num_tls_refused},
          {"protocol", p.protocol}, {"refusal", p.refusal}};
}

nlohmann::json sm_reading_json(const wire::cluster_block& v) {
  auto ctrls = nlohmann::json::array();
  auto r = sm_reading(v);
  for (int c = 0; c < 2; ++c)
    if (r[c].present)
      ctrls.push_back({{"controller", c}, {"max_responding", r[c].max_responding},
                       {"storage0_responding", r[c].storage0_responding},
                       {"sm_heartbeat_fail", r[c].sm_heartbeat_fail}});
  auto hs = nlohmann::json::array();
  for (uint8_t i = 0; i < v.num_histories; ++i) {
    auto& h = v.histories[i];
    hs.push_back({{"controller", h.controller}, {"network", cfg::network_key(h.network)},
                  {"entries", h.entries}, {"newest_enabled", h.newest().enabled},
                  {"newest_responding", h.newest().responding}});
  }
  return {{"reqid", v.reqid}, {"period_msec", v.period_msec}, {"bytes", v.bytes()},
          {"storage0_enabled", v.storage0_enabled != 0}, {"histories", hs},
          {"controllers", ctrls}};
}

std::string render_vault(const vault_view& v) {
  std::string out = fmt::format("vault of {}: period {} ms, storage-0 {}, SM heartbeat {}{}, "
                                "{} pushes to SM\n", v.controller, v.period_msec,
                                v.storage0_enabled ? "enabled" : "not monitored",
                                v.sm_heartbeat_fail ? "MISSING" : "ok",
                                v.locked ? ", LOCKED" : "", v.num_pushes);
  if (!v.last_reasons.empty())
    out += fmt::format("  last push: {}\n", v.last_reasons.substr(0, 160));
  for (auto& h : v.histories) {
    auto newest = h.enabled.empty() ? std::string{"-"}
                                    : fmt::format("{}:{}", h.enabled.back(), h.responding.back());
    out += fmt::format("  C{} {:<5} [S:{}] SM:{:<4} newest {:<7} oldest->newest{}\n",
                       int{h.controller}, cfg::network_label(h.network),
                       h.storage0_responding ? "y" : "n", h.sm_heartbeat_fail ? "miss" : "ok",
                       newest, strip(h, 20));
  }
  if (v.histories.empty())
    out += "  no history yet (no monitored host, or locked)\n";
  return out;
}

std::string render_peer(const peer_status& p) {
  auto age = p.last_contact_age_ms < 0 ? std::string{"never"}
                                       : fmt::format("{} ms ago", p.last_contact_age_ms);
  return fmt::format("{} ({}) -> {} at {}{}: link {}, last contact {}, up {} / down {} times\n"
                     "  designation: {} active (epoch {}); generation {}; {} {}\n"
                     "  control snapshots from the peer: {} taken, {} refused; {} message(s) "
                     "not sent while down (the next link-up exchanges everything)\n"
                     "  {}; {} handshake(s) refused\n",
                     p.controller, p.role, p.peer,
                     p.endpoint.empty() ? "(no address: simplex)" : p.endpoint,
                     p.path.empty() ? "" : " (" + p.path + ")", p.link_up ? "UP" : "DOWN", age,
                     p.num_link_ups, p.num_link_downs, p.designation, p.epoch, p.generation,
                     p.peer, p.peer_locked ? "LOCKED by an operator" : "not locked",
                     p.num_syncs, p.num_refused, p.num_unsent,
                     p.tls ? "mutual TLS" : "IN THE CLEAR (peer.tls = false)", p.num_tls_refused)
         + fmt::format("  peer protocol {}{}\n", p.protocol,
                       p.refusal.empty() ? "" : "; REFUSED the peer " + p.refusal);
}

std::string render_sm_reading(const wire::cluster_block& v) {
  std::string out = fmt::format("reqid {} period {} ms, {} histories, {} bytes, storage-0 {}\n",
                                v.reqid, v.period_msec, v.num_histories, v.bytes(),
                                v.storage0_enabled ? "enabled" : "not monitored");
  for (uint8_t i = 0; i < v.num_histories; ++i) {
    auto& h = v.histories[i];
    out += fmt::format("  controller-{} {:<5} newest {}:{} ({} entries)\n", int{h.controller},
                       cfg::network_label(h.network), h.newest().enabled,
                       h.newest().responding, h.entries);
  }
  auto r = sm_reading(v);
  for (int c = 0; c < 2; ++c)
    if (r[c].present)
      out += fmt::format("SM reads controller-{}: {} hosts responding (max over networks), "
                         "storage-0 {}, SM heartbeat {}\n", c, r[c].max_responding,
                         r[c].storage0_responding ? "responding" : "not responding",
                         r[c].sm_heartbeat_fail ? "MISSING" : "ok");
  return out;
}

} // namespace hbs::ctl

namespace hbs::ctl {

nlohmann::json to_json(const std::vector<alarm_view>& as) {
  auto out = nlohmann::json::array();
  for (auto& a : as)
    out.push_back({{"id", a.id}, {"host", a.host}, {"severity", a.severity},
                   {"entity", a.entity}, {"reason", a.reason}, {"raised_ms", a.raised_ms}});
  return out;
}

nlohmann::json to_json(const mnfa_view& m) {
  return {{"state", m.state}, {"action", m.action}, {"deciding", m.deciding},
          {"threshold", m.threshold}, {"threshold_percent", m.threshold_percent},
          {"tally", {{"management", m.tally.at(0)}, {"cluster-host", m.tally.at(1)}}},
          {"pool", m.pool}, {"active_for_ms", m.active_for_ms},
          {"timeout_left_ms", m.timeout_left_ms}, {"occurrences", m.occurrences},
          {"period_ms", m.period_ms}};
}

std::string render_alarms(const std::vector<alarm_view>& as) {
  if (as.empty())
    return "no heartbeat alarms\n";
  std::string out = fmt::format("{:<8} {:<20} {:<9} {:<14} {}\n", "ID", "HOST", "SEVERITY",
                                "RAISED", "REASON");
  for (auto& a : as)
    out += fmt::format("{:<8} {:<20} {:<9} {:<14} {}\n", a.id, a.host, a.severity,
                       clock_time(a.raised_ms), a.reason);
  return out;
}

std::string render_mnfa(const mnfa_view& m) {
  std::string out = fmt::format(
    "MNFA {} ({}), failure action {}, period {} ms\n  threshold {} host(s){}; tally "
    "management {} cluster-host {}; occurrences {}\n",
    m.state, m.deciding ? "deciding: active agent" : "following the active agent", m.action,
    m.period_ms, m.threshold,
    m.threshold_percent ? fmt::format(" ({}% of monitored)", m.threshold_percent) : "",
    m.tally.at(0), m.tally.at(1), m.occurrences);
  if (m.active_for_ms >= 0)
    out += fmt::format("  in MNFA for {} ms{}\n", m.active_for_ms,
                       m.timeout_left_ms >= 0 ? fmt::format(", timeout in {} ms",
                                                            m.timeout_left_ms)
                                              : std::string{", no timeout"});
  if (!m.pool.empty())
    out += fmt::format("  pool ({}): {}\n", m.pool.size(), fmt::join(m.pool, " "));
  return out;
}

} // namespace hbs::ctl

