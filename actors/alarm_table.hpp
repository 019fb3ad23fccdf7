#pragma once
// Heartbeat alarms (reference §7) as a value type: 200.005 management and 200.009
// cluster-host (MAJOR at degrade, CRITICAL at loss, never CRITICAL -> MAJOR without a
// clear), 200.006 process monitor. Serialises to the JSON persisted in the state directory.

#include <map>
#include <string>
#include <vector>

namespace hbs {

enum class severity : uint8_t { clear, major, critical };
const char* to_string(severity s);

struct alarm {
  std::string id;    // 200.005, 200.009, 200.006
  std::string host;
  severity level = severity::major;
  std::string entity; // host=worker-1.network=Management
  std::string reason;
  int64_t raised_ms = 0; // wall clock
};

enum class alarm_change : uint8_t { none, raised, escalated, cleared };

const char* alarm_id(uint8_t network);          // 200.005 / 200.009
constexpr const char* pmond_alarm_id = "200.006";

class alarm_table {
public:
  // Raises or escalates; a repeat or a CRITICAL -> MAJOR request changes nothing.
  alarm_change raise(const std::string& id, const std::string& host, severity level,
                     int64_t now_ms);
  alarm_change clear(const std::string& id, const std::string& host);
  // Clears every heartbeat alarm (all three ids) and verdict of every host (a new failure
  // action starts afresh); returns the alarms cleared.
  std::vector<alarm> clear_all();
  std::vector<alarm> clear_host(const std::string& host); // its alarms and its verdict

  const alarm* find(const std::string& id, const std::string& host) const;
  std::vector<alarm> list() const;
  size_t size() const { return alarms_.size(); }

  // The failure action applied to a host (failed / degraded) and standing until it
  // recovers: kept with the alarms so neither a restart nor a swact applies it twice.
  bool set_verdict(const std::string& host, const std::string& kind); // true: changed
  bool clear_verdict(const std::string& host);                        // true: there was one
  const std::map<std::string, std::string>& verdicts() const { return verdicts_; }

  std::string to_json() const;
  // Replaces the table; false (table unchanged) when the text is not a valid table.
  bool from_json(const std::string& text, std::string& error);

private:
  std::map<std::pair<std::string, std::string>, alarm> alarms_; // (id, host)
  std::map<std::string, std::string> verdicts_;                 // host -> failed | degraded
};

} // namespace hbs
