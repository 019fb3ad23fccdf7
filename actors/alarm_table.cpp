#include "actors/alarm_table.hpp"

#include <nlohmann/json.hpp>

namespace hbs {

const char* to_string(severity s) {
  switch (s) {
    case severity::clear: return "clear";
    case severity::major: return "major";
    case severity::critical: return "critical";
  }
  return "unknown";
}

const char* alarm_id(uint8_t network) {
  return network == 0 ? "200.005" : "200.009";
}

namespace {

std::string entity_of(const std::string& id, const std::string& host) {
  if (id == pmond_alarm_id)
    return "host=" + host + ".process=pmond";
  return "host=" + host + ".network=" + (id == "200.005" ? "Management" : "Cluster-host");
}

std::string reason_of(const std::string& id, const std::string& host, severity level) {
  if (id == pmond_alarm_id)
    return host + " Process Monitor has failed or is not responding";
  std::string net = id == "200.005" ? "Management" : "Cluster-host";
  if (level == severity::critical)
    return host + " experienced a persistent critical '" + net + "' communication failure";
  return host + " is experiencing intermittent '" + net
         + "' communication failures that exceeded its lower alarming threshold";
}

} // namespace

alarm_change alarm_table::raise(const std::string& id, const std::string& host, severity level,
                                int64_t now_ms) {
  auto key = std::make_pair(id, host);
  auto it = alarms_.find(key);
  if (it != alarms_.end()) {
    if (level <= it->second.level)
      return alarm_change::none; // repeat, or CRITICAL -> MAJOR without a clear
    it->second.level = level;
    it->second.reason = reason_of(id, host, level);
    return alarm_change::escalated;
  }
  alarms_[key] = alarm{id, host, level, entity_of(id, host), reason_of(id, host, level), now_ms};
  return alarm_change::raised;
}

alarm_change alarm_table::clear(const std::string& id, const std::string& host) {
  return alarms_.erase({id, host}) ? alarm_change::cleared : alarm_change::none;
}

std::vector<alarm> alarm_table::clear_all() {
  auto out = list();
  alarms_.clear();
  return out;
}

std::vector<alarm> alarm_table::clear_host(const std::string& host) {
  std::vector<alarm> out;
  for (auto it = alarms_.begin(); it != alarms_.end();)
    if (it->first.second == host) {
      out.push_back(it->second);
      it = alarms_.erase(it);
    } else {
      ++it;
    }
  return out;
}

const alarm* alarm_table::find(const std::string& id, const std::string& host) const {
  auto it = alarms_.find({id, host});
  return it == alarms_.end() ? nullptr : &it->second;
}

std::vector<alarm> alarm_table::list() const {
  std::vector<alarm> out;
  for (auto& [k, a] : alarms_)
    out.push_back(a);
  return out;
}

std::string alarm_table::to_json() const {
  auto arr = nlohmann::json::array();
  for (auto& [k, a] : alarms_)
    arr.push_back({{"id", a.id}, {"host", a.host}, {"severity", to_string(a.level)},
                   {"entity", a.entity}, {"reason", a.reason}, {"raised_ms", a.raised_ms}});
  return nlohmann::json{{"version", 1}, {"alarms", arr}}.dump(1);
}

bool alarm_table::from_json(const std::string& text, std::string& error) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("alarms") || !j["alarms"].is_array()) {
    error = "not an hbs alarm table (expected {\"version\":1,\"alarms\":[...]})";
    return false;
  }
  decltype(alarms_) loaded;
  for (auto& a : j["alarms"]) {
    if (!a.is_object() || !a.value("id", "").size() || !a.value("host", "").size()) {
      error = "an alarm without id or host";
      return false;
    }
    auto sev = a.value("severity", "");
    if (sev != "major" && sev != "critical") {
      error = "alarm severity \"" + sev + "\": allowed major | critical";
      return false;
    }
    alarm x{a["id"], a["host"], sev == "critical" ? severity::critical : severity::major,
            a.value("entity", ""), a.value("reason", ""), a.value("raised_ms", int64_t{0})};
    loaded[{x.id, x.host}] = x;
  }
  alarms_ = std::move(loaded);
  return true;
}

} // namespace hbs
