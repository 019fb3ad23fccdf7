// TOML -> plain structs. Each problem names the key, the value and what is allowed.
#include <algorithm>
#include <set>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "config/config.hpp"
#include "config/file_text.hpp"
#include "config/toml_text.hpp"
#include "messages/amon_message.hpp"

namespace hbs::cfg {

namespace {

std::string show(const toml::node& n) {
  std::ostringstream os;
  if (n.is_table())
    return "{...}";
  if (auto* a = n.as_array()) {
    std::string out = "[";
    for (auto& el : *a)
      out += (out.size() > 1 ? ", " : "") + show(el);
    return out + "]";
  }
  n.visit([&](auto&& v) { os << v; });
  return os.str();
}

// Reads the keys of one table, recording problems and which keys were understood.
class reader {
public:
  reader(const toml::table& t, std::string path, std::vector<std::string>& problems)
    : t_(t), path_(std::move(path)), problems_(problems) {}

  ~reader() {
    for (auto&& [k, v] : t_)
      if (!known_.count(std::string{k.str()}))
        problems_.push_back(fmt::format("{}: unknown key", key(k.str())));
  }

  std::string key(std::string_view k) const {
    return path_.empty() ? std::string{k} : fmt::format("{}.{}", path_, k);
  }

  const toml::node* find(std::string_view k, bool required, const char* what) {
    known_.insert(std::string{k});
    auto* n = t_.get(k);
    if (!n && required)
      problems_.push_back(fmt::format("{}: missing required key ({})", key(k), what));
    return n;
  }

  void text(std::string_view k, std::string& out, bool required = false,
            const char* what = "a string") {
    if (auto* n = find(k, required, what)) {
      if (auto v = n->value<std::string>())
        out = *v;
      else
        wrong(k, *n, what);
    }
  }

  template <class Int>
  void integer(std::string_view k, Int& out, int64_t lo, int64_t hi, bool required = false) {
    if (auto* n = find(k, required, "an integer")) {
      auto v = n->is_integer() ? n->value<int64_t>() : std::nullopt;
      if (!v)
        wrong(k, *n, "an integer");
      else if (*v < lo || *v > hi)
        problems_.push_back(
          fmt::format("{} = {}: out of range, allowed {}..{}", key(k), *v, lo, hi));
      else
        out = static_cast<Int>(*v);
    }
  }

  void boolean(std::string_view k, bool& out) {
    if (auto* n = find(k, false, "true or false")) {
      if (auto v = n->value<bool>(); v && n->is_boolean())
        out = *v;
      else
        wrong(k, *n, "true or false");
    }
  }

  template <class Enum>
  void choice(std::string_view k, Enum& out,
              std::initializer_list<std::pair<const char*, Enum>> options,
              bool required = false) {
    std::string allowed;
    for (auto& [name, val] : options)
      allowed += fmt::format("{}\"{}\"", allowed.empty() ? "" : " | ", name);
    std::string s;
    if (auto* n = find(k, required, allowed.c_str())) {
      auto v = n->value<std::string>();
      if (!v || !n->is_string())
        return wrong(k, *n, allowed.c_str());
      for (auto& [name, val] : options)
        if (*v == name) {
          out = val;
          return;
        }
      problems_.push_back(fmt::format("{} = \"{}\": allowed {}", key(k), *v, allowed));
    }
  }

  void names(std::string_view k, std::vector<std::string>& out,
             std::initializer_list<const char*> allowed) {
    std::string list;
    for (auto* a : allowed)
      list += fmt::format("{}\"{}\"", list.empty() ? "" : ", ", a);
    auto* n = find(k, false, "an array of strings");
    if (!n)
      return;
    auto* arr = n->as_array();
    if (!arr)
      return wrong(k, *n, ("an array of " + list).c_str());
    out.clear();
    for (auto& el : *arr) {
      auto v = el.value<std::string>();
      bool ok = v && el.is_string()
                && std::any_of(allowed.begin(), allowed.end(), [&](auto* a) { return *v == a; });
      if (!ok) {
        problems_.push_back(fmt::format("{} = {}: allowed {}", key(k), show(*n), list));
        return;
      }
      out.push_back(*v);
    }
  }

  const toml::table* table(std::string_view k) {
    if (auto* n = find(k, false, "a table")) {
      if (auto* t = n->as_table())
        return t;
      wrong(k, *n, "a table");
    }
    return nullptr;
  }

  const toml::array* array(std::string_view k) {
    if (auto* n = find(k, false, "an array of tables")) {
      if (auto* a = n->as_array())
        return a;
      wrong(k, *n, "an array of tables ([[hosts]])");
    }
    return nullptr;
  }

private:
  void wrong(std::string_view k, const toml::node& n, const char* what) {
    problems_.push_back(fmt::format("{} = {}: wrong type, expected {}", key(k), show(n), what));
  }

  const toml::table& t_;
  std::string path_;
  std::vector<std::string>& problems_;
  std::set<std::string> known_;
};

void read_network(const toml::table& t, uint8_t index, network_config& n,
                  std::vector<std::string>& problems) {
  n.index = index;
  n.client_port = index == management ? 2106 : 2116;
  n.agent_port = index == management ? 2103 : 2113;
  reader r{t, fmt::format("networks.{}", network_key(index)), problems};
  r.text("local_address", n.local_address, true, "this host's IPv4 address on the network");
  r.text("multicast_group", n.multicast_group);
  r.choice("mode", n.mode, {{"multicast", net_mode::multicast}, {"unicast", net_mode::unicast}});
  r.integer("client_port", n.client_port, 1, 65535);
  r.integer("agent_port", n.agent_port, 1, 65535);
  r.integer("multicast_ttl", n.multicast_ttl, 0, 255);
}

void read_networks(reader& top, std::vector<network_config>& out,
                   std::vector<std::string>& problems) {
  auto* nets = top.table("networks");
  if (!nets) {
    problems.push_back("networks.management: missing required table");
    return;
  }
  reader r{*nets, "networks", problems};
  for (uint8_t i : {management, cluster_host}) {
    if (auto* t = r.table(network_key(i))) {
      network_config n;
      read_network(*t, i, n, problems);
      out.push_back(n);
    } else if (i == management) {
      problems.push_back("networks.management: missing required table");
    }
  }
}

void read_hosts(reader& top, std::vector<host_config>& out, std::vector<std::string>& problems) {
  auto* hosts = top.array("hosts");
  if (!hosts)
    return;
  for (size_t i = 0; i < hosts->size(); ++i) {
    auto* t = hosts->get(i)->as_table();
    if (!t) {
      problems.push_back(fmt::format("hosts[{}]: wrong type, expected a table", i));
      continue;
    }
    host_config h;
    reader r{*t, fmt::format("hosts[{}]", i), problems};
    r.text("name", h.name, true, "the host name");
    r.choice("type", h.type,
             {{"controller", host_type::controller}, {"worker", host_type::worker},
              {"storage", host_type::storage}}, true);
    r.text("management", h.management, true, "the host's management IPv4 address");
    r.text("cluster-host", h.cluster_host);
    r.boolean("start", h.start);
    out.push_back(h);
  }
}

template <class T, class Fn>
loaded<T> parse_unescaped(std::string_view text, std::string_view source, Fn&& fn) {
  loaded<T> res;
  if (auto problem = non_ascii_outside_comment(text, source); !problem.empty()) {
    res.problems.push_back(problem);
    return res;
  }
  toml::table tbl;
  try {
    tbl = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    res.problems.push_back(fmt::format("{}:{}:{}: {}", source, e.source().begin.line,
                                       e.source().begin.column, e.description()));
    return res;
  }
  {
    reader top{tbl, "", res.problems};
    fn(top, res.config, res.problems);
  }
  if (res.problems.empty())
    validate(res.config, res.problems);
  return res;
}

void read_hooks(reader& top, std::vector<hook_config>& out, std::vector<std::string>& problems) {
  auto* hooks = top.array("hooks");
  if (!hooks)
    return;
  for (size_t i = 0; i < hooks->size(); ++i) {
    auto* t = hooks->get(i)->as_table();
    if (!t) {
      problems.push_back(fmt::format("hooks[{}]: wrong type, expected a table", i));
      continue;
    }
    hook_config h;
    reader r{*t, fmt::format("hooks[{}]", i), problems};
    r.names("kinds", h.kinds,
            {"heartbeat_start", "heartbeat_stop", "minor_set", "minor_clear", "degrade_set",
             "degrade_clear", "loss", "recovered", "failed", "graceful_recovery", "mnfa_enter",
             "mnfa_exit", "mnfa_cancel", "alarm_raise", "alarm_clear", "pmond_raise",
             "pmond_clear", "host_stalled", "role_active", "role_inactive", "agent_stop"});
    r.text("command", h.command, true, "the hook's executable (absolute path)");
    r.integer("timeout_ms", h.timeout_ms, 100, 600000);
    r.boolean("only_acted", h.only_acted);
    if (h.kinds.empty())
      problems.push_back(fmt::format("hooks[{}].kinds: required, at least one event kind", i));
    out.push_back(h);
  }
}

void read_pulse_auth(reader& top, pulse_auth_config& a, std::vector<std::string>& pr) {
  if (auto* t = top.table("pulse_auth")) {
    reader r{*t, "pulse_auth", pr};
    r.choice("mode", a.mode, {{"off", wire::auth_mode::off}, {"accept", wire::auth_mode::accept},
                              {"require", wire::auth_mode::require}});
    r.text("key_file", a.key_file);
    r.integer("max_skew_ms", a.max_skew_ms, 100, 3600000);
  }
}

template <class T, class Fn>
loaded<T> parse_with(std::string_view text, std::string_view source, Fn&& fn) {
  auto res = parse_unescaped<T>(text, source, std::forward<Fn>(fn));
  for (auto& p : res.problems)
    p = one_line(p);
  return res;
}

template <class T, class Parse>
loaded<T> load_file(const std::string& path, Parse parse) {
  std::string text;
  if (auto why = read_text_file(path, text); !why.empty()) {
    loaded<T> res;
    res.problems.push_back(fmt::format("{}: cannot read the configuration file: {}", path, why));
    return res;
  }
  return parse(text, path);
}

} // namespace

loaded<agent_config> parse_agent_config(std::string_view text, std::string_view source) {
  return parse_with<agent_config>(text, source, [](reader& top, agent_config& c, auto& pr) {
    if (auto* a = top.table("agent")) {
      reader r{*a, "agent", pr};
      r.text("controller", c.controller, true, "this controller's host name");
      r.choice("mode", c.mode, {{"standalone", agent_mode::standalone},
                                {"starlingx", agent_mode::starlingx}});
      r.integer("period_ms", c.period_ms, 100, 1000);
      r.boolean("clstr_degrade_only", c.clstr_degrade_only);
      r.choice("system_type", c.standard_system, {{"standard", true}, {"aio", false}});
      r.text("state_dir", c.state_dir);
      r.text("log_dir", c.log_dir);
      r.choice("log_level", c.log_level,
               {{"debug", std::string{"debug"}}, {"info", std::string{"info"}},
                {"warning", std::string{"warning"}}, {"error", std::string{"error"}}});
      r.names("log_categories", c.log_categories, {"clog", "clog1", "clog2", "clog3", "mlog"});
      r.text("control_socket", c.control_socket);
      r.text("control_group", c.control_group);
      r.text("control_token", c.control_token);
      r.integer("events_max_mb", c.events_max_mb, 0, 4096);
      r.integer("events_keep", c.events_keep, 0, 99);
      r.choice("role", c.active, {{"active", true}, {"inactive", false}});
      r.text("lock_file", c.lock_file);
      r.integer("scheduling_priority", c.scheduling_priority, 0, 99);
      r.choice("failure_action", c.action,
               {{"fail", failure_action::fail}, {"degrade", failure_action::degrade},
                {"alarm", failure_action::alarm}, {"none", failure_action::none}});
    } else {
      pr.push_back("agent: missing required table");
    }
    if (auto* t = top.table("mnfa")) {
      reader r{*t, "mnfa", pr};
      r.integer("threshold", c.mnfa_threshold, 2, 100);
      r.integer("threshold_percent", c.mnfa_threshold_percent, 0, 100);
      r.integer("timeout_s", c.mnfa_timeout_s, 0, 86400);
    }
    if (auto* t = top.table("sm")) {
      reader r{*t, "sm", pr};
      r.boolean("enabled", c.sm.enabled);
      r.text("address", c.sm.address);
      r.integer("server_port", c.sm.server_port, 1, 65535);
      r.integer("client_port", c.sm.client_port, 1, 65535);
      r.integer("max_requests_per_s", c.sm.max_requests_per_s, 10, 100000);
    }
    if (auto* t = top.table("starlingx")) {
      reader r{*t, "starlingx", pr};
      r.text("mtc_address", c.starlingx.mtc_address);
      r.integer("command_port", c.starlingx.command_port, 1, 65535);
      r.integer("event_port", c.starlingx.event_port, 1, 65535);
      r.text("alarm_address", c.starlingx.alarm_address);
      r.integer("alarm_port", c.starlingx.alarm_port, 1, 65535);
      r.integer("ready_interval_ms", c.starlingx.ready_interval_ms, 1000, 60000);
      r.text("mtc_conf", c.starlingx.mtc_conf);
      r.text("mtc_ini", c.starlingx.mtc_ini);
      r.text("platform_conf", c.starlingx.platform_conf);
    }
    if (auto* t = top.table("metrics")) {
      reader r{*t, "metrics", pr};
      r.boolean("enabled", c.metrics.enabled);
      r.text("address", c.metrics.address);
      r.integer("port", c.metrics.port, 1, 65535);
      r.boolean("per_host", c.metrics.per_host);
      r.integer("refresh_ms", c.metrics.refresh_ms, 0, 600000);
    }
    if (auto* t = top.table("peer")) {
      reader r{*t, "peer", pr};
      r.text("name", c.peer.name);
      r.text("address", c.peer.address);
      r.text("cluster_address", c.peer.cluster_address);
      r.integer("port", c.peer.port, 1, 65535);
      r.integer("keepalive_ms", c.peer.keepalive_ms, 100, 60000);
      r.integer("hold_off_ms", c.peer.hold_off_ms, 0, 600000);
      r.boolean("tls", c.peer.tls);
      r.text("tls_certificate", c.peer.tls_certificate);
      r.text("tls_ca", c.peer.tls_ca);
    }
    if (auto* t = top.table("thresholds")) {
      reader r{*t, "thresholds", pr};
      r.integer("minor", c.limits.minor, 1, 10000);
      r.integer("degrade", c.limits.degrade, 1, 10000);
      r.integer("loss", c.limits.loss, 2, 10000);
    }
    read_networks(top, c.networks, pr);
    read_hosts(top, c.hosts, pr);
    read_hooks(top, c.hooks, pr);
    read_pulse_auth(top, c.pulse_auth, pr);
  });
}

// pmond names the process in a white-space separated text request (messages/amon_message).
static void check_amon_name(const std::string& name, std::vector<std::string>& problems) {
  auto printable = [](char ch) { return ch > ' ' && ch < 0x7f; };
  bool ok = !name.empty() && name.size() < wire::amon_max_size - 20
            && std::all_of(name.begin(), name.end(), printable);
  if (!ok)
    problems.push_back(fmt::format("client.amon_name = \"{}\": must be 1..79 printable ASCII "
                                   "characters without spaces (pmond's process name)",
                                   name));
}

loaded<client_config> parse_client_config(std::string_view text, std::string_view source) {
  return parse_with<client_config>(text, source, [](reader& top, client_config& c, auto& pr) {
    if (auto* a = top.table("client")) {
      reader r{*a, "client", pr};
      r.text("host", c.host, true, "this host's name");
      r.integer("pmon_port", c.pmon_port, 0, 65535);
      c.amon_port = c.pmon_port != 0 ? c.amon_port : 0; // no pmond here: neither door
      r.integer("amon_port", c.amon_port, 0, 65535);
      r.integer("amon_reply_port", c.amon_reply_port, 1, 65535);
      r.text("amon_name", c.amon_name);
      check_amon_name(c.amon_name, pr);
      r.text("pid_file", c.pid_file);
      // An answer to our own port would read as a request for our own name: answered forever.
      if (c.amon_port != 0 && c.amon_reply_port == c.amon_port)
        pr.push_back(fmt::format("client.amon_reply_port = {}: the same as amon_port (the "
                                 "client would answer its own answers)", c.amon_reply_port));
      if (c.amon_port != 0 && c.amon_port == c.pmon_port)
        pr.push_back(fmt::format("client.amon_port = {}: the same as pmon_port", c.amon_port));
      r.text("mtc_address", c.mtc_address);
      r.integer("mtc_port", c.mtc_port, 1, 65535);
      r.integer("scheduling_priority", c.scheduling_priority, 0, 99);
      r.text("log_dir", c.log_dir);
      r.choice("log_level", c.log_level,
               {{"debug", std::string{"debug"}}, {"info", std::string{"info"}},
                {"warning", std::string{"warning"}}, {"error", std::string{"error"}}});
      r.names("log_categories", c.log_categories, {"clog", "clog1", "clog2", "mlog"});
    } else {
      pr.push_back("client: missing required table");
    }
    read_networks(top, c.networks, pr);
    read_pulse_auth(top, c.pulse_auth, pr);
  });
}

loaded<agent_config> load_agent_config(const std::string& path) {
  return load_file<agent_config>(path, parse_agent_config);
}

loaded<client_config> load_client_config(const std::string& path) {
  return load_file<client_config>(path, parse_client_config);
}

} // namespace hbs::cfg
