#pragma once
// What hbs-agent exports to Prometheus: the status snapshots hbsctl reads, turned into
// prometheus-cpp metric families (the library serialises them). Pure: no CAF include, so
// the names, labels and values are tested directly (tests/runtime/metrics_format_test).

#include <optional>
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

} // namespace hbs
