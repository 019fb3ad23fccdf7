#include "actors/alarm_table.hpp"

#include "messages/json_whole.hpp"

#include <nlohmann/json.hpp>

#include "config/config.hpp"

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
  verdicts_.clear();
  return out;
}

std::vector<alarm> alarm_table::clear_host(const std::string& host) {
  std::vector<alarm> out;
  verdicts_.erase(host);
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

bool alarm_table::set_verdict(const std::string& host, const std::string& kind) {
  auto& v = verdicts_[host];
  bool changed = v != kind;
  v = kind;
  return changed;
}

bool alarm_table::clear_verdict(const std::string& host) {
  return verdicts_.erase(host) != 0;
}

std::string alarm_table::to_json() const {
  auto arr = nlohmann::json::array();
  for (auto& [k, a] : alarms_)
    arr.push_back({{"id", a.id}, {"host", a.host}, {"severity", to_string(a.level)},
                   {"entity", a.entity}, {"reason", a.reason}, {"raised_ms", a.raised_ms}});
  auto verdicts = nlohmann::json::object();
  for (auto& [host, kind] : verdicts_)
    verdicts[host] = kind;
  return nlohmann::json{{"version", 1}, {"alarms", arr}, {"verdicts", verdicts}}.dump(1);
}

bool alarm_table::from_json(const std::string& text, std::string& error) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("alarms") || !j["alarms"].is_array()) {
    error = "not an hbs alarm table (expected {\"version\":1,\"alarms\":[...]})";
    return false;
  }
  // Bounded like an inventory: three alarms and one verdict per host at most.
  if (j["alarms"].size() > 3 * cfg::max_hosts) {
    error = "more than " + std::to_string(3 * cfg::max_hosts) + " alarms";
    return false;
  }
  decltype(alarms_) loaded;
  try {
    for (auto& a : j["alarms"]) {
      if (!a.is_object() || !a.value("id", "").size() || !a.value("host", "").size()) {
        error = "an alarm without id or host";
        return false;
      }
      std::string id = a["id"], host = a["host"];
      if (id != "200.005" && id != "200.009" && id != pmond_alarm_id) {
        error = "alarm id \"" + id.substr(0, 20) + "\": allowed 200.005 | 200.009 | 200.006";
        return false;
      }
      if (!cfg::valid_host_name(host)) {
        error = "alarm for \"" + host.substr(0, 80) + "\": not a valid host name";
        return false;
      }
      auto sev = a.value("severity", "");
      if (sev != "major" && sev != "critical") {
        error = "alarm severity \"" + sev.substr(0, 20) + "\": allowed major | critical";
        return false;
      }
      auto level = sev == "critical" ? severity::critical : severity::major;
      int64_t raised = 0;
      if (a.contains("raised_ms") && !json_whole(a["raised_ms"], raised)) {
        error = "alarm raised_ms " + a["raised_ms"].dump().substr(0, 30)
                + ": not a whole number of ms";
        return false;
      }
      // Entity and reason follow from id, host and severity: nothing else is taken.
      loaded[{id, host}] = alarm{id, host, level, entity_of(id, host),
                                 reason_of(id, host, level), raised};
    }
  } catch (const nlohmann::json::exception& e) {
    error = std::string{"malformed alarm: "} + e.what();
    return false;
  }
  decltype(verdicts_) verdicts;
  if (j.contains("verdicts")) {
    auto& v = j["verdicts"];
    if (!v.is_object() || v.size() > cfg::max_hosts) {
      error = "verdicts: not an object of at most " + std::to_string(cfg::max_hosts) + " hosts";
      return false;
    }
    for (auto& [host, kind] : v.items()) {
      if (!cfg::valid_host_name(host) || !kind.is_string()
          || (kind != "failed" && kind != "degraded")) {
        error = "verdict for \"" + host.substr(0, 80) + "\": allowed failed | degraded";
        return false;
      }
      verdicts[host] = kind.get<std::string>();
    }
  }
  alarms_ = std::move(loaded);
  verdicts_ = std::move(verdicts);
  return true;
}

} // namespace hbs
