#include "runtime/metrics_format.hpp"

#include <limits>
#include <map>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "actors/link_quality.hpp"
#include "actors/state_tally.hpp"
#include "actors/local_health.hpp"
#include "config/config.hpp"
#include "messages/decode_error.hpp"
#include "messages/sm_request.hpp"

namespace hbs {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using labels = std::vector<ClientMetric::Label>;

// Families are created once per scrape, in order of first use. A family is found by its
// name's view: the 240,000 per-host series at 10,000 hosts allocate no name or help string
// per metric (they did, two each).
struct families {
  std::vector<MetricFamily> out;
  std::map<std::string, size_t, std::less<>> index;

  MetricFamily& get(std::string_view name, std::string_view help, MetricType type) {
    auto it = index.find(name);
    if (it == index.end()) {
      it = index.emplace(std::string{name}, out.size()).first;
      out.push_back({std::string{name}, std::string{help}, type, {}});
    }
    return out[it->second];
  }
  void counter(std::string_view name, std::string_view help, labels l, double v) {
    ClientMetric m;
    m.label = std::move(l);
    m.counter.value = v;
    get(name, help, MetricType::Counter).metric.push_back(std::move(m));
  }
  // counts: per bucket of bounds (seconds), the last one above them all (+Inf).
  void histogram(std::string_view name, std::string_view help, labels l,
                 const std::vector<uint64_t>& counts, const std::vector<double>& bounds,
                 double sum) {
    ClientMetric m;
    m.label = std::move(l);
    uint64_t seen = 0;
    for (size_t b = 0; b < counts.size(); ++b) {
      seen += counts[b];
      m.histogram.bucket.push_back(
        {seen, b < bounds.size() ? bounds[b] : std::numeric_limits<double>::infinity()});
    }
    m.histogram.sample_count = seen;
    m.histogram.sample_sum = sum;
    get(name, help, MetricType::Histogram).metric.push_back(std::move(m));
  }
  void gauge(std::string_view name, std::string_view help, labels l, double v) {
    ClientMetric m;
    m.label = std::move(l);
    m.gauge.value = v;
    get(name, help, MetricType::Gauge).metric.push_back(std::move(m));
  }
};

std::string net_name(uint8_t index) {
  return cfg::network_key(index);
}

// 0 ok, 1 minor, 2 degraded, 3 lost (host_health's order); unmonitored hosts are not exported.
int state_code(const std::string& state) {
  for (size_t h = 0; h < num_health_states; ++h)
    if (state == to_string(static_cast<host_health>(h)))
      return static_cast<int>(h);
  return -1;
}

void agent(families& f, const agent_status& s) {
  f.gauge("hbs_agent_info", "This agent: controller, version and role (always 1)",
          {{"controller", s.controller}, {"role", s.role}, {"version", s.version}}, 1);
  f.gauge("hbs_agent_active", "1 when this agent is the active one (raises alarms, acts)", {},
          s.role == "active" ? 1 : 0);
  f.gauge("hbs_agent_uptime_seconds", "Seconds since the agent started", {},
          static_cast<double>(s.uptime_ms) / 1000);
  f.gauge("hbs_agent_designation_epoch", "Epoch of the active designation (events carry it)",
          {}, static_cast<double>(s.epoch));
  f.gauge("hbs_agent_hosts", "Hosts in the inventory", {}, static_cast<double>(s.num_hosts));
  f.gauge("hbs_agent_hosts_monitored", "Hosts being heartbeated", {},
          static_cast<double>(s.num_started));
  f.gauge("hbs_agent_hosts_eclipsed", "Hosts in the inventory not heartbeated: another host "
          "holds their address", {}, static_cast<double>(s.num_eclipsed));
  for (auto& file : s.files) {
    f.gauge("hbs_state_file_ok", "1 when the last write of this state file succeeded",
            {{"file", file.file}}, file.ok ? 1 : 0);
    f.counter("hbs_state_file_write_failures_total", "Writes of this state file that failed",
              {{"file", file.file}}, static_cast<double>(file.num_failures));
  }
}

void drops(families& f, const network_counters& c, const labels& net) {
  const char* help = "Responses read but not counted, by reason";
  auto drop = [&](const char* reason, uint64_t n) {
    auto l = net;
    l.push_back({"reason", reason});
    f.counter("hbs_network_responses_dropped_total", help, std::move(l),
              static_cast<double>(n));
  };
  drop("stale", c.num_stale);
  drop("duplicate", c.num_duplicates);
  drop("unknown_source", c.num_unknown_source);
  drop("own_address", c.num_self);
  drop("wrong_controller", c.num_wrong_controller);
  drop("unsigned", c.num_unsigned);
  drop("bad_mac", c.num_bad_mac);
  drop("replayed", c.num_replayed);
  for (size_t i = 1; i < c.num_malformed.size() && i < wire::num_decode_errors; ++i)
    drop(wire::to_string(static_cast<wire::decode_error>(i)), c.num_malformed[i]);
}

void health(families& f, const network_counters& c, const labels& net) {
  f.counter("hbs_network_periods_judged_total", "Periods judged (every host's answer counted)",
            net, static_cast<double>(c.num_judged));
  auto stalled = [&](const char* reason, uint64_t n) {
    auto l = net;
    l.push_back({"reason", reason});
    f.counter("hbs_network_periods_stalled_total", "Periods the agent could not observe, so "
              "nobody was blamed for them, by reason", std::move(l), static_cast<double>(n));
  };
  stalled("short_window", c.num_stalled_short);
  stalled("socket_overflow", c.num_stalled_overflow);
  stalled("send_failed", c.num_stalled_send);
  f.counter("hbs_network_periods_judged_anyway_total", "Stalled periods judged anyway after "
            "`loss` stalled periods in a row", net, static_cast<double>(c.num_judged_anyway));
  f.counter("hbs_network_late_ticks_total", "Period ticks that ran over half a period late",
            net, static_cast<double>(c.num_late_ticks));
  f.counter("hbs_network_socket_drops_total", "Datagrams the kernel dropped on the receive "
            "socket", net, static_cast<double>(c.num_socket_drops));
  if (c.busy_counts.size() == busy_bounds_us.size() + 1) {
    std::vector<double> bounds;
    for (auto us : busy_bounds_us)
      bounds.push_back(static_cast<double>(us) / 1e6);
    f.histogram("hbs_network_busy_seconds", "Agent handler time per period (drain, close, "
                "send), every period since start", net, c.busy_counts, bounds,
                static_cast<double>(c.busy_sum_us) / 1e6);
  }
  // And the last minute's quantiles as gauges, as hbsctl shows them: wall time, and the
  // thread's CPU time (the handling alone, without the waits for a core).
  auto last_minute = [&](const char* kind, const char* what, int64_t p50, int64_t p99,
                         int64_t max) {
    auto g = [&](const char* q, const char* how, int64_t us) {
      f.gauge(fmt::format("hbs_network_busy{}_{}_seconds", kind, q),
              fmt::format("Agent handler {} per period, {} over the last minute", what, how),
              net, static_cast<double>(us) / 1e6);
    };
    g("p50", "median", p50);
    g("p99", "99th percentile", p99);
    g("max", "most", max);
  };
  last_minute("", "time", c.busy_p50_us, c.busy_p99_us, c.busy_max_us);
  last_minute("_cpu", "CPU time", c.busy_cpu_p50_us, c.busy_cpu_p99_us, c.busy_cpu_max_us);
  if (c.rtt_max_us < 0)
    return; // no round trip measured in the last minute: no series rather than zeros
  auto rtt = [&](double q) {
    return static_cast<double>(
             rtt_quantile_us(c.rtt_buckets.data(), c.rtt_buckets.size(), q, c.rtt_max_us)) / 1e6;
  };
  f.gauge("hbs_network_rtt_p50_seconds", "Round trip of every host, median over the last "
          "minute", net, rtt(0.5));
  f.gauge("hbs_network_rtt_p99_seconds", "Round trip of every host, 99th percentile over the "
          "last minute", net, rtt(0.99));
  f.gauge("hbs_network_rtt_max_seconds", "Round trip of every host, most over the last minute",
          net, static_cast<double>(c.rtt_max_us) / 1e6);
}

void network(families& f, const network_counters& c) {
  labels net{{"network", net_name(c.network)}};
  f.gauge("hbs_network_period_seconds", "Heartbeat period in force (x4 in MNFA back-off)", net,
          static_cast<double>(c.period_ms) / 1000);
  f.gauge("hbs_network_hosts_expected", "Hosts asked in the last closed period", net,
          c.expected);
  f.gauge("hbs_network_hosts_responding", "Hosts that answered in the last closed period", net,
          c.responding);
  for (size_t h = 0; h < c.hosts_by_state.size() && h < num_health_states; ++h)
    f.gauge("hbs_network_hosts", "Monitored hosts by heartbeat state",
            {{"network", net_name(c.network)}, {"state", to_string(static_cast<host_health>(h))}},
            c.hosts_by_state[h]);
  f.counter("hbs_network_requests_total", "Pulse request datagrams sent", net,
            static_cast<double>(c.num_requests));
  f.counter("hbs_network_request_send_errors_total", "Pulse request datagrams not sent", net,
            static_cast<double>(c.num_send_errors));
  f.counter("hbs_network_responses_total", "Datagrams read on the response socket", net,
            static_cast<double>(c.num_responses));
  f.counter("hbs_network_responses_counted_total", "Responses counted for their host", net,
            static_cast<double>(c.num_counted));
  drops(f, c, net);
  health(f, c, net);
}

// Link quality (issue 14 §2): series not measured in their window are left out, not zeroed.
void link(families& f, const link_row& k, const labels& l) {
  auto seconds = [](int64_t us) { return static_cast<double>(us) / 1e6; };
  if (k.rtt_p50_us >= 0) {
    f.gauge("hbs_host_rtt_p50_seconds", "Round trip, request sent to response received by "
            "the kernel, median over the last minute", l, seconds(k.rtt_p50_us));
    f.gauge("hbs_host_rtt_p99_seconds", "Round trip, 99th percentile over the last minute", l,
            seconds(k.rtt_p99_us));
    f.gauge("hbs_host_rtt_max_seconds", "Round trip, most over the last minute", l,
            seconds(k.rtt_max_us));
  }
  auto loss = [&](const char* window, double pct) {
    if (pct < 0)
      return;
    auto w = l;
    w.push_back({"window", window});
    f.gauge("hbs_host_loss_ratio", "Share of judged periods this host did not answer, over the "
            "window (1m, 1h)", std::move(w), pct / 100);
  };
  loss("1m", k.loss_1m_pct);
  loss("1h", k.loss_1h_pct);
  f.counter("hbs_host_flaps_total", "Times the link went from answering to `minor` periods "
            "missed in a row", l, k.num_flaps);
}

void hosts(families& f, const std::vector<host_status>& hs) {
  for (auto& h : hs)
    for (auto& n : h.networks) {
      if (!n.monitored)
        continue;
      auto net = net_name(n.network);
      labels l{{"host", h.name}, {"network", net}};
      f.gauge("hbs_host_state", "Heartbeat state: 0 ok, 1 minor, 2 degraded, 3 lost", l,
              state_code(n.state));
      f.gauge("hbs_host_back_to_back_misses", "Consecutive periods missed now", l, n.b2b);
      f.gauge("hbs_host_back_to_back_misses_max", "Most consecutive periods missed", l,
              n.max_b2b);
      f.counter("hbs_host_misses_total", "Periods this host missed", l,
                static_cast<double>(n.num_misses));
      f.counter("hbs_host_pulses_total", "Responses counted for this host", l,
                static_cast<double>(n.num_pulses));
      if (n.last_response_age_ms >= 0)
        f.gauge("hbs_host_last_response_age_seconds", "Seconds since its last counted response",
                l, static_cast<double>(n.last_response_age_ms) / 1000);
      link(f, n.link, l);
    }
}

void peer(families& f, const peer_status& p) {
  f.gauge("hbs_peer_link_up", "1 when the link to the other controller's agent is up",
          {{"peer", p.peer}}, p.link_up ? 1 : 0);
  if (p.last_contact_age_ms >= 0)
    f.gauge("hbs_peer_last_contact_age_seconds", "Seconds since the peer was last heard",
            {{"peer", p.peer}}, static_cast<double>(p.last_contact_age_ms) / 1000);
  f.counter("hbs_peer_link_ups_total", "Times the peer link came up", {{"peer", p.peer}},
            static_cast<double>(p.num_link_ups));
  f.counter("hbs_peer_link_downs_total", "Times the peer link went down", {{"peer", p.peer}},
            static_cast<double>(p.num_link_downs));
  f.counter("hbs_peer_syncs_total", "Control snapshots taken from the peer", {{"peer", p.peer}},
            static_cast<double>(p.num_syncs));
  f.counter("hbs_peer_syncs_refused_total", "Control snapshots from the peer refused as "
            "invalid", {{"peer", p.peer}}, static_cast<double>(p.num_refused));
  f.counter("hbs_peer_unsent_total", "Replication messages for the peer while the link was "
            "down (sent in full at the next link-up)", {{"peer", p.peer}},
            static_cast<double>(p.num_unsent));
}

void mnfa(families& f, const mnfa_view& m) {
  f.gauge("hbs_mnfa_active", "1 while in multi-node failure avoidance (or recovering)", {},
          m.state == "idle" ? 0 : 1);
  f.gauge("hbs_mnfa_threshold_hosts", "Hosts failing at once that enter MNFA", {},
          m.threshold);
  for (size_t i = 0; i < m.tally.size(); ++i)
    f.gauge("hbs_mnfa_tally_hosts", "Hosts counted toward MNFA now",
            {{"network", net_name(static_cast<uint8_t>(i))}}, m.tally[i]);
  f.gauge("hbs_mnfa_pool_hosts", "Hosts held in the MNFA pool", {},
          static_cast<double>(m.pool.size()));
  f.counter("hbs_mnfa_episodes_total", "MNFA episodes entered", {},
            static_cast<double>(m.occurrences));
}

void alarms(families& f, const std::vector<alarm_view>& as) {
  std::map<std::pair<std::string, std::string>, int> count;
  for (auto& a : as)
    ++count[{a.id, a.severity}];
  for (auto id : {"200.005", "200.009", "200.006"})
    for (auto sev : {"major", "critical"})
      count.emplace(std::pair<std::string, std::string>{id, sev}, 0);
  for (auto& [key, n] : count)
    f.gauge("hbs_alarms", "Standing alarms by id and severity",
            {{"alarm_id", key.first}, {"severity", key.second}}, n);
}

void vault(families& f, const vault_view& v) {
  for (auto& h : v.histories) {
    if (h.enabled.empty() || h.responding.empty())
      continue;
    labels l{{"controller", "controller-" + std::to_string(h.controller)},
             {"network", net_name(h.network)}};
    f.gauge("hbs_vault_hosts_enabled", "Newest vault entry: hosts enabled", l,
            h.enabled.back());
    f.gauge("hbs_vault_hosts_responding", "Newest vault entry: hosts responding", l,
            h.responding.back());
  }
  f.counter("hbs_sm_vault_pushes_total", "Vault pushes to SM", {},
            static_cast<double>(v.num_pushes));
}

void sm(families& f, const sm_counters& c) {
  if (!c.enabled)
    return;
  f.counter("hbs_sm_queries_total", "SM queries answered", {},
            static_cast<double>(c.num_queries));
  f.counter("hbs_sm_beats_total", "SM alive pulses received", {},
            static_cast<double>(c.num_beats));
  f.counter("hbs_sm_send_errors_total", "Datagrams to SM not sent", {},
            static_cast<double>(c.num_send_errors));
  f.counter("hbs_sm_kernel_drops_total", "SM requests the kernel dropped, receive queue full",
            {}, static_cast<double>(c.num_kernel_drops));
  for (size_t i = 1; i < c.num_rejected.size(); ++i)
    f.counter("hbs_sm_requests_rejected_total", "SM requests dropped, by reason",
              {{"reason", to_string(static_cast<sm_error>(i))}},
              static_cast<double>(c.num_rejected[i]));
}

} // namespace

std::vector<MetricFamily> metric_families(const metrics_snapshot& s, bool per_host) {
  families f;
  auto ok = [&](const char* part, bool present) {
    f.gauge("hbs_scrape_ok", "1 when this part of the agent answered the scrape in time "
            "(else its series are left out)", {{"part", part}}, present ? 1 : 0);
  };
  ok("status", s.status.has_value());
  if (per_host) // without per-host series the hosts are not gathered (status counts them)
    ok("hosts", s.hosts.has_value());
  ok("peer", s.peer.has_value());
  ok("mnfa", s.mnfa.has_value());
  ok("alarms", s.alarms.has_value());
  ok("vault", s.vault.has_value());
  if (s.status) {
    agent(f, *s.status);
    for (auto& n : s.status->networks)
      network(f, n);
    sm(f, s.status->sm);
  }
  if (s.hosts && per_host)
    hosts(f, *s.hosts);
  if (s.peer && !s.peer->peer.empty())
    peer(f, *s.peer);
  if (s.mnfa)
    mnfa(f, *s.mnfa);
  if (s.alarms)
    alarms(f, *s.alarms);
  if (s.vault)
    vault(f, *s.vault);
  return std::move(f.out);
}

std::string per_host_warning(const metrics_snapshot& s, bool per_host) {
  if (!per_host || !s.hosts)
    return {};
  size_t rows = 0;
  for (auto& h : *s.hosts)
    rows += h.networks.size();
  if (rows < per_host_rows_warning)
    return {};
  // ~870 bytes of text per host and network row (17.4 MB for 20,000 rows, measured).
  return fmt::format("per-host series cover {} host x network rows (~{} MB of text a scrape); "
                     "at this size frequent scrapes take a large share of a small "
                     "controller's CPU and can starve the heartbeat: set [metrics] per_host = "
                     "false (per-network counts by state remain)", rows, rows * 870 / 1'000'000);
}

} // namespace hbs
