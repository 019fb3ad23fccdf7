#pragma once
// hbsctl output: human tables and the --json shapes (stable keys, one document per command).

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "messages/cluster.hpp"
#include "messages/events.hpp"
#include "messages/status.hpp"

namespace hbs::ctl {

nlohmann::json to_json(const agent_status& s);
nlohmann::json to_json(const host_status& h);
nlohmann::json to_json(const std::vector<host_status>& hs);
nlohmann::json to_json(const std::vector<event>& es);
nlohmann::json to_json(const vault_view& v);
nlohmann::json to_json(const peer_status& p);
nlohmann::json sm_reading_json(const wire::cluster_block& v);
nlohmann::json to_json(const std::vector<alarm_view>& as);
nlohmann::json to_json(const mnfa_view& m);

std::string render(const agent_status& s);
std::string render_hosts(const std::vector<host_status>& hs);
// StarlingX's node table for dumps and audits: per host and network, the counters. Unless
// `every_row` (a dump an operator asked for), rows that are ok with no outage since started
// are counted in one line, not listed: an hourly audit of 10,000 hosts stays short.
std::string render_node_table(const std::vector<host_status>& hs, bool every_row);
std::string render_host(const host_status& h);
std::string render_events(const std::vector<event>& es);
std::string render_vault(const vault_view& v);
std::string render_peer(const peer_status& p);
// The vault as SM reads it: the newest entry of each history, per-controller maximum.
std::string render_sm_reading(const wire::cluster_block& v);
std::string render_alarms(const std::vector<alarm_view>& as);
std::string render_mnfa(const mnfa_view& m);
// A Unix time in ms as local HH:MM:SS.mmm (the event and alarm tables).
std::string clock_time(int64_t unix_ms);

} // namespace hbs::ctl
