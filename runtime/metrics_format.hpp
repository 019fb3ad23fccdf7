#pragma once
// What hbs-agent exports to Prometheus: the status snapshots hbsctl reads, turned into
// prometheus-cpp metric families (the library serialises them). Pure: no CAF include, so
// the names, labels and values are tested directly (tests/runtime/metrics_format_test).

#include <optional>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "messages/status.hpp"

namespace hbs {

// One scrape's view of the agent. A part that did not answer in time is absent, and its
// series are left out of that scrape (never exported as zeros); hbs_scrape_ok says which.
struct metrics_snapshot {
  std::optional<agent_status> status;
  std::optional<std::vector<host_status>> hosts;
  std::optional<peer_status> peer;
  std::optional<mnfa_view> mnfa;
  std::optional<std::vector<alarm_view>> alarms;
  std::optional<vault_view> vault;
};

// per_host: per host x network series (state, back-to-back, misses, pulses); without them
// per network counts of hosts by state are still exported.
std::vector<prometheus::MetricFamily> metric_families(const metrics_snapshot& s,
                                                      bool per_host);

// Host x network rows from which per-host series put the heartbeat at risk on a small
// controller: at 20,000 (10,000 hosts, 2 networks) a scrape was ~17 MB of text and a scrape
// a second took a third of a 2-core machine, and under the hypervisor's bursts 4,463 false
// alarms followed (README, results/bench-20261203T084612Z).
constexpr size_t per_host_rows_warning = 10'000;

// What the operator is told once when a gather with per-host series reaches that size;
// empty below it, without per-host series, or without the hosts' part.
std::string per_host_warning(const metrics_snapshot& s, bool per_host);

} // namespace hbs
