#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include <prometheus/text_serializer.h>

#include "actors/link_quality.hpp"
#include "actors/local_health.hpp"
#include "runtime/metrics_format.hpp"

using namespace hbs;
using labels_t = std::vector<prometheus::ClientMetric::Label>;

namespace {

net_status net(uint8_t index, const std::string& state, uint32_t b2b, uint64_t misses) {
  net_status n;
  n.network = index;
  n.monitored = true;
  n.state = state;
  n.b2b = b2b;
  n.max_b2b = b2b;
  n.num_misses = misses;
  n.num_pulses = 100;
  n.last_response_age_ms = state == "lost" ? 1200 : 40;
  return n;
}

// worker-0 healthy, worker-1 lost on management only; one critical 200.005; MNFA idle.
metrics_snapshot cluster() {
  metrics_snapshot s;
  agent_status a;
  a.controller = "controller-0";
  a.role = "active";
  a.version = "0.1.0";
  a.num_hosts = 2;
  a.num_started = 2;
  a.num_eclipsed = 1;
  for (uint8_t i : {0, 1}) {
    network_counters c;
    c.network = i;
    c.period_ms = 100;
    c.expected = 2;
    c.responding = i == 0 ? 1 : 2;
    c.num_requests = 500;
    c.num_stale = 3;
    c.num_malformed.assign(12, 0);
    c.num_malformed[1] = 7; // short_datagram
    c.num_stalled_overflow = 2;
    c.busy_p99_us = 1500;
    c.busy_cpu_p99_us = 900;
    c.busy_counts.assign(busy_bounds_us.size() + 1, 0);
    c.busy_counts[1] = 90; // <= 1 ms
    c.busy_counts[3] = 10; // <= 5 ms
    c.busy_sum_us = 120'000;
    if (i == 0)
      c.hosts_by_state = {1, 0, 0, 1}; // ok, minor, degraded, lost: the controller's tally
    else
      c.hosts_by_state = {2, 0, 0, 0};
    if (i == 0) { // every host's round trips over the last minute: 3 near 181 µs, 1 of 3 ms
      c.rtt_buckets.assign(link_quality::num_buckets, 0);
      c.rtt_buckets[static_cast<size_t>(link_quality::bucket_of(181))] = 3;
      c.rtt_buckets[static_cast<size_t>(link_quality::bucket_of(3000))] = 1;
      c.rtt_max_us = 3000;
    }
    a.networks.push_back(c);
  }
  s.status = a;
  host_status w0{"worker-0", "worker", "10.0.0.10", "10.1.0.10", true,
                 {net(0, "ok", 0, 0), net(1, "ok", 0, 0)}};
  w0.networks[0].link = {181, 1448, 2000, 590, 0.5, 0.25, 2};
  host_status w1{"worker-1", "worker", "10.0.0.11", "10.1.0.11", true,
                 {net(0, "lost", 12, 40), net(1, "ok", 0, 1)}};
  s.hosts = std::vector<host_status>{w0, w1};
  s.alarms = std::vector<alarm_view>{{"200.005", "worker-1", "critical", "", "", 0}};
  mnfa_view m;
  m.state = "idle";
  m.tally = {1, 0};
  s.mnfa = m;
  return s;
}

const prometheus::MetricFamily* family(const std::vector<prometheus::MetricFamily>& fs,
                                       const std::string& name) {
  for (auto& f : fs)
    if (f.name == name)
      return &f;
  return nullptr;
}

// The value of the one series of `name` whose labels include all of `want`.
double value(const std::vector<prometheus::MetricFamily>& fs, const std::string& name,
             std::vector<prometheus::ClientMetric::Label> want) {
  auto* f = family(fs, name);
  REQUIRE_MESSAGE(f, name);
  const prometheus::ClientMetric* hit = nullptr;
  for (auto& m : f->metric) {
    bool all = true;
    for (auto& w : want)
      all = all && std::find(m.label.begin(), m.label.end(), w) != m.label.end();
    if (all) {
      REQUIRE_MESSAGE(!hit, name << ": more than one series matches");
      hit = &m;
    }
  }
  REQUIRE_MESSAGE(hit, name << ": no series matches");
  return f->type == prometheus::MetricType::Counter ? hit->counter.value : hit->gauge.value;
}

} // namespace

TEST_CASE("a lost host reads 3 in hbs_host_state and is counted as lost on its network") {
  auto fs = metric_families(cluster(), true);
  CHECK(value(fs, "hbs_host_state", {{"host", "worker-1"}, {"network", "management"}}) == 3);
  CHECK(value(fs, "hbs_host_state", {{"host", "worker-1"}, {"network", "cluster-host"}}) == 0);
  CHECK(value(fs, "hbs_host_back_to_back_misses",
              {{"host", "worker-1"}, {"network", "management"}}) == 12);
  CHECK(value(fs, "hbs_host_misses_total", {{"host", "worker-1"}, {"network", "management"}})
        == 40);
  CHECK(value(fs, "hbs_network_hosts", {{"network", "management"}, {"state", "lost"}}) == 1);
  CHECK(value(fs, "hbs_network_hosts", {{"network", "management"}, {"state", "ok"}}) == 1);
  CHECK(value(fs, "hbs_network_hosts", {{"network", "cluster-host"}, {"state", "ok"}}) == 2);
  CHECK(value(fs, "hbs_alarms", {{"alarm_id", "200.005"}, {"severity", "critical"}}) == 1);
  CHECK(value(fs, "hbs_alarms", {{"alarm_id", "200.009"}, {"severity", "major"}}) == 0);
  CHECK(value(fs, "hbs_agent_active", {}) == 1);
  CHECK(value(fs, "hbs_mnfa_tally_hosts", {{"network", "management"}}) == 1);
  CHECK(value(fs, "hbs_agent_hosts_eclipsed", {}) == 1);
}

TEST_CASE("drops and stalled periods are counters labelled by reason") {
  auto fs = metric_families(cluster(), true);
  CHECK(family(fs, "hbs_network_responses_dropped_total")->type
        == prometheus::MetricType::Counter);
  CHECK(value(fs, "hbs_network_responses_dropped_total",
              {{"network", "management"}, {"reason", "short_datagram"}}) == 7);
  CHECK(value(fs, "hbs_network_responses_dropped_total",
              {{"network", "cluster-host"}, {"reason", "stale"}}) == 3);
  CHECK(value(fs, "hbs_network_periods_stalled_total",
              {{"network", "management"}, {"reason", "socket_overflow"}}) == 2);
  CHECK(value(fs, "hbs_network_busy_p99_seconds", {{"network", "management"}})
        == doctest::Approx(0.0015));
  CHECK(value(fs, "hbs_network_busy_cpu_p99_seconds", {{"network", "management"}})
        == doctest::Approx(0.0009));
}

TEST_CASE("a part that did not answer is marked and its series left out, never zeros") {
  auto s = cluster();
  s.hosts.reset();
  auto fs = metric_families(s, true);
  CHECK(value(fs, "hbs_scrape_ok", {{"part", "hosts"}}) == 0);
  CHECK(value(fs, "hbs_scrape_ok", {{"part", "status"}}) == 1);
  CHECK(family(fs, "hbs_host_state") == nullptr);
  CHECK(family(fs, "hbs_vault_hosts_enabled") == nullptr); // no vault view either
  CHECK(value(fs, "hbs_network_hosts", {{"network", "management"}, {"state", "lost"}}) == 1);
  s.status.reset();
  fs = metric_families(s, true);
  CHECK(value(fs, "hbs_scrape_ok", {{"part", "status"}}) == 0);
  CHECK(family(fs, "hbs_network_hosts") == nullptr); // counted in the status: left out too
}

TEST_CASE("without per-host metrics only the per-network counts by state remain") {
  auto s = cluster();
  s.hosts.reset(); // not gathered at all when per-host series are off
  auto fs = metric_families(s, false);
  CHECK(family(fs, "hbs_host_state") == nullptr);
  CHECK(family(fs, "hbs_host_misses_total") == nullptr);
  CHECK(value(fs, "hbs_network_hosts", {{"network", "management"}, {"state", "lost"}}) == 1);
  CHECK(value(fs, "hbs_network_hosts", {{"network", "cluster-host"}, {"state", "ok"}}) == 2);
  CHECK(value(fs, "hbs_network_hosts", {{"network", "cluster-host"}, {"state", "minor"}}) == 0);
  // Not asked, so not a failed part: no hbs_scrape_ok{part="hosts"} to alert on.
  for (auto& m : family(fs, "hbs_scrape_ok")->metric)
    CHECK(std::find(m.label.begin(), m.label.end(),
                    prometheus::ClientMetric::Label{"part", "hosts"}) == m.label.end());
}

TEST_CASE("the exposition is Prometheus text with HELP and TYPE per family") {
  auto text = prometheus::TextSerializer{}.Serialize(metric_families(cluster(), true));
  CHECK(text.find("# TYPE hbs_host_state gauge\n") != std::string::npos);
  CHECK(text.find("# TYPE hbs_host_misses_total counter\n") != std::string::npos);
  CHECK(text.find("hbs_host_state{host=\"worker-1\",network=\"management\"} 3\n")
        != std::string::npos);
}

TEST_CASE("round trips, loss and flaps are exported per host and network, unmeasured ones not") {
  auto fs = metric_families(cluster(), true);
  labels_t w0m{{"host", "worker-0"}, {"network", "management"}};
  CHECK(value(fs, "hbs_host_rtt_p50_seconds", w0m) == doctest::Approx(181e-6));
  CHECK(value(fs, "hbs_host_rtt_p99_seconds", w0m) == doctest::Approx(1448e-6));
  CHECK(value(fs, "hbs_host_rtt_max_seconds", w0m) == doctest::Approx(2e-3));
  CHECK(value(fs, "hbs_host_loss_ratio", {{"host", "worker-0"}, {"window", "1m"}})
        == doctest::Approx(0.005));
  CHECK(value(fs, "hbs_host_loss_ratio", {{"host", "worker-0"}, {"window", "1h"}})
        == doctest::Approx(0.0025));
  CHECK(value(fs, "hbs_host_flaps_total", w0m) == 2);
  // worker-1 had no round trip measured and no period judged: no series, not zeros.
  for (auto* name : {"hbs_host_rtt_p50_seconds", "hbs_host_loss_ratio"})
    for (auto& m : family(fs, name)->metric)
      CHECK(std::find(m.label.begin(), m.label.end(),
                      prometheus::ClientMetric::Label{"host", "worker-1"}) == m.label.end());
  CHECK(value(fs, "hbs_network_rtt_p50_seconds", {{"network", "management"}})
        == doctest::Approx(link_quality::bucket_value_us(link_quality::bucket_of(181)) / 1e6));
  CHECK(value(fs, "hbs_network_rtt_max_seconds", {{"network", "management"}})
        == doctest::Approx(3e-3));
  CHECK(family(fs, "hbs_network_rtt_p50_seconds")->metric.size() == 1); // not cluster-host
}

TEST_CASE("busy time per period is a Prometheus histogram with cumulative buckets") {
  auto fs = metric_families(cluster(), false);
  auto* f = family(fs, "hbs_network_busy_seconds");
  REQUIRE(f);
  CHECK(f->type == prometheus::MetricType::Histogram);
  auto& h = f->metric.at(0).histogram;
  CHECK(h.sample_count == 100);
  CHECK(h.sample_sum == doctest::Approx(0.12));
  REQUIRE(h.bucket.size() == busy_bounds_us.size() + 1);
  CHECK(h.bucket[0].cumulative_count == 0);
  CHECK(h.bucket[1].upper_bound == doctest::Approx(0.001));
  CHECK(h.bucket[1].cumulative_count == 90);
  CHECK(h.bucket[3].cumulative_count == 100);
  CHECK(h.bucket.back().cumulative_count == 100);
  CHECK(std::isinf(h.bucket.back().upper_bound));
}

TEST_CASE("per-host series at 10,000 host x network rows come with advice to turn them off") {
  auto s = cluster();
  CHECK(per_host_warning(s, true).empty()); // a small cluster: nothing to say
  auto one = s.hosts->front();
  s.hosts->assign(per_host_rows_warning / one.networks.size(), one);
  auto w = per_host_warning(s, true);
  CHECK(w.find("10000 host x network rows") != std::string::npos);
  CHECK(w.find("per_host = false") != std::string::npos);
  CHECK(per_host_warning(s, false).empty()); // already off
  s.hosts->pop_back();
  CHECK(per_host_warning(s, true).empty()); // just below
  s.hosts.reset();
  CHECK(per_host_warning(s, true).empty()); // the hosts did not answer: no count, no claim
}
