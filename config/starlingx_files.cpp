#include "config/starlingx_files.hpp"

#include <unistd.h>

#include <charconv>
#include <map>

#include <fmt/format.h>
#include <ini.h>
#include <toml++/toml.h>

#include "config/file_text.hpp"

namespace hbs::cfg {

namespace {

// key -> (section, value, file); a later file replaces an earlier one's value.
struct ini_values {
  struct entry {
    std::string section, value, file;
  };
  std::map<std::string, entry> keys;
  std::string file;
};

int take(void* user, const char* section, const char* name, const char* value) {
  auto& v = *static_cast<ini_values*>(user);
  auto& e = v.keys[name];
  // scheduling_priority is per daemon in mtc.conf: only [agent]'s is the agent's
  if (std::string_view{name} == "scheduling_priority" && std::string_view{section} != "agent")
    return 1;
  e = {section, value, v.file};
  return 1;
}

bool read_ini(const std::string& path, ini_values& v, std::vector<std::string>& problems,
              std::vector<std::string>& notes) {
  if (path.empty())
    return false;
  if (access(path.c_str(), F_OK) != 0) {
    notes.push_back(path + ": not found, not read");
    return false;
  }
  std::string text;
  if (auto why = read_text_file(path, text); !why.empty()) {
    problems.push_back(fmt::format("{}: cannot read: {}", path, why));
    return false;
  }
  v.file = path;
  if (int line = ini_parse_string(text.c_str(), take, &v); line != 0) {
    problems.push_back(fmt::format("{}:{}: not an INI line", path, line));
    return false;
  }
  notes.push_back(path + ": read");
  return true;
}

template <class T>
bool number(const ini_values::entry& e, const std::string& key, T lo, T hi, T& out,
            std::vector<std::string>& problems) {
  long long v = 0;
  auto* end = e.value.data() + e.value.size();
  auto [p, ec] = std::from_chars(e.value.data(), end, v);
  if (ec != std::errc{} || p != end || v < static_cast<long long>(lo)
      || v > static_cast<long long>(hi)) {
    problems.push_back(fmt::format("{}: {} = \"{}\": allowed {}..{}", e.file, key, e.value, lo,
                                   hi));
    return false;
  }
  out = static_cast<T>(v);
  return true;
}

struct applier {
  const toml::table& toml;
  const ini_values& ini;
  std::vector<std::string>& problems;
  std::vector<std::string>& notes;

  // The file's value of key, unless the TOML sets `path` itself.
  const ini_values::entry* wanted(const std::string& key, const std::string& path) {
    auto it = ini.keys.find(key);
    if (it == ini.keys.end())
      return nullptr;
    if (toml.at_path(path)) {
      notes.push_back(fmt::format("{} from the TOML (over {} {})", path, it->second.file, key));
      return nullptr;
    }
    notes.push_back(fmt::format("{} = {} from {} {}", path, it->second.value, it->second.file,
                                key));
    return &it->second;
  }

  template <class T>
  void integer(const std::string& key, const std::string& path, T lo, T hi, T& out) {
    if (auto* e = wanted(key, path))
      number(*e, key, lo, hi, out, problems);
  }
};

void apply_ini(applier& a, agent_config& c) {
  if (auto* e = a.wanted("heartbeat_period", "agent.period_ms")) {
    uint32_t p = 100;
    std::vector<std::string> ignored; // StarlingX forces a period out of range to 100 ms
    number(*e, "heartbeat_period", 100u, 1000u, p, ignored);
    c.period_ms = p;
  }
  a.integer("hbs_minor_threshold", "thresholds.minor", 1u, 1000u, c.limits.minor);
  a.integer("heartbeat_degrade_threshold", "thresholds.degrade", 1u, 1000u, c.limits.degrade);
  a.integer("heartbeat_failure_threshold", "thresholds.loss", 1u, 1000u, c.limits.loss);
  if (auto* e = a.wanted("heartbeat_failure_action", "agent.failure_action"))
    if (!parse_failure_action(e->value, c.action))
      c.action = failure_action::fail; // as hbsAgent: anything unknown is fail
  a.integer("scheduling_priority", "agent.scheduling_priority", 0u, 99u, c.scheduling_priority);
  a.integer("mtc_to_hbs_cmd_port", "starlingx.command_port", uint16_t{1}, uint16_t{65535},
            c.starlingx.command_port);
  a.integer("hbs_to_mtc_event_port", "starlingx.event_port", uint16_t{1}, uint16_t{65535},
            c.starlingx.event_port);
  a.integer("mtcalarm_req_port", "starlingx.alarm_port", uint16_t{1}, uint16_t{65535},
            c.starlingx.alarm_port);
  a.integer("sm_server_port", "sm.server_port", uint16_t{1}, uint16_t{65535}, c.sm.server_port);
  a.integer("sm_client_port", "sm.client_port", uint16_t{1}, uint16_t{65535}, c.sm.client_port);
  for (auto& n : c.networks) {
    bool m = n.index == management;
    std::string at = std::string{"networks."} + network_key(n.index) + ".";
    a.integer(m ? "hbs_agent_mgmnt_port" : "hbs_agent_clstr_port", at + "agent_port",
              uint16_t{1}, uint16_t{65535}, n.agent_port);
    a.integer(m ? "hbs_client_mgmnt_port" : "hbs_client_clstr_port", at + "client_port",
              uint16_t{1}, uint16_t{65535}, n.client_port);
    if (auto* e = a.wanted("multicast", at + "multicast_group"))
      n.multicast_group = e->value;
  }
}

} // namespace

void apply_starlingx_files(std::string_view toml_text, agent_config& c,
                           std::vector<std::string>& problems, std::vector<std::string>& notes) {
  toml::table tbl;
  try {
    tbl = toml::parse(toml_text);
  } catch (const toml::parse_error&) {
    return; // parsed once already: cannot happen
  }
  ini_values ini;
  read_ini(c.starlingx.mtc_conf, ini, problems, notes);
  read_ini(c.starlingx.mtc_ini, ini, problems, notes);
  applier a{tbl, ini, problems, notes};
  apply_ini(a, c);
  ini_values platform;
  if (read_ini(c.starlingx.platform_conf, platform, problems, notes)) {
    applier p{tbl, platform, problems, notes};
    if (auto* e = p.wanted("system_type", "agent.system_type"))
      c.standard_system = e->value != "All-in-one";
  }
}

loaded<agent_config> load_agent_config_and_files(const std::string& path) {
  auto res = load_agent_config(path);
  if (!res.ok() || !res.config.under_mtc())
    return res;
  std::string text;
  if (auto why = read_text_file(path, text); !why.empty()) { // changed since: say so
    res.problems.push_back(fmt::format("{}: cannot read the configuration file: {}", path, why));
    return res;
  }
  apply_starlingx_files(text, res.config, res.problems, res.notes);
  if (res.ok())
    validate(res.config, res.problems);
  return res;
}

} // namespace hbs::cfg
