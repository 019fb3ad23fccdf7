// The controller's service duties: state dumps (SIGUSR2, hourly audit), configuration
// reload (SIGHUP) and an ordered shutdown.
#include <fmt/format.h>

#include "actors/controller.hpp"
#include "runtime/ctl_format.hpp"
#include "runtime/log.hpp"

namespace hbs {

namespace {

constexpr auto query_timeout = std::chrono::seconds{2};

struct dump_parts {
  std::vector<host_status> hosts;
  vault_view vault;
  mnfa_view mnfa;
  std::vector<alarm_view> alarms;
  size_t pending = 4;
};

} // namespace

void dump_state(controller_ptr self, const std::string& why,
                std::function<void(std::string)> deliver) {
  auto parts = std::make_shared<dump_parts>();
  auto done = [self, parts, why, deliver] {
    if (--parts->pending != 0)
      return;
    auto text = fmt::format("=== {} state dump ({}): {}, {}\n{}{}{}{}",
                            self->state.setup.config.controller, why,
                            self->state.active ? "active" : "inactive",
                            self->state.locked ? "locked" : "unlocked",
                            ctl::render_hosts(parts->hosts), ctl::render_vault(parts->vault),
                            ctl::render_mnfa(parts->mnfa), ctl::render_alarms(parts->alarms));
    size_t from = 0;
    while (from < text.size()) { // one log line per line of the dump
      auto to = text.find('\n', from);
      log::info("dump", "{}", text.substr(from, to - from));
      from = to == std::string::npos ? text.size() : to + 1;
    }
    if (deliver)
      deliver(text);
  };
  auto& st = self->state;
  self->request(caf::actor_cast<controller_actor>(self), query_timeout, hosts_atom_v)
    .then([=](std::vector<host_status>& h) { parts->hosts = std::move(h); done(); },
          [=](caf::error&) { done(); });
  self->request(st.vault, query_timeout, vault_atom_v)
    .then([=](vault_view& v) { parts->vault = std::move(v); done(); },
          [=](caf::error&) { done(); });
  self->request(st.mnfa, query_timeout, mnfa_atom_v)
    .then([=](mnfa_view& m) { parts->mnfa = std::move(m); done(); },
          [=](caf::error&) { done(); });
  self->request(st.alarms, query_timeout, alarms_atom_v)
    .then([=](std::vector<alarm_view>& a) { parts->alarms = std::move(a); done(); },
          [=](caf::error&) { done(); });
}

std::string reload(controller_ptr self, uint32_t period_ms, thresholds limits,
                   const std::string& action) {
  auto& st = self->state;
  auto& c = st.setup.config;
  std::vector<std::string> changes;
  if (period_ms != c.period_ms) {
    changes.push_back(fmt::format("period {} -> {} ms", c.period_ms, period_ms));
    c.period_ms = period_ms;
    auto now = period_ms * (st.backed_off ? 4 : 1);
    for (auto& [n, net] : st.networks)
      self->send(net, period_atom_v, now);
    self->send(st.vault, period_atom_v, period_ms); // the history is kept (a StarlingX bug)
    self->send(st.mnfa, period_atom_v, now);
  }
  auto& t = c.limits;
  if (limits.minor != t.minor || limits.degrade != t.degrade || limits.loss != t.loss) {
    changes.push_back(fmt::format("thresholds {}/{}/{} -> {}/{}/{}", t.minor, t.degrade,
                                  t.loss, limits.minor, limits.degrade, limits.loss));
    t = limits;
    for (auto& [n, e] : st.hosts)
      self->send(e.actor, reload_atom_v, limits.minor, limits.degrade, limits.loss);
  }
  if (action != st.action)
    changes.push_back(set_action(self, action));
  auto text = changes.empty() ? std::string{"reload: nothing changed"}
                              : fmt::format("reload: {}", fmt::join(changes, "; "));
  log::info("controller", "{}", text);
  return text;
}

void stop_children(controller_ptr self, const caf::error& reason) {
  auto& st = self->state;
  log::info("controller", "stopping: {} hosts, {} networks, peer, SM gateway, vault, MNFA, "
                          "alarms, events (reverse spawn order)",
            st.hosts.size(), st.networks.size());
  event e{"agent_stop", st.setup.config.controller, "", "", 0, self->system().render(reason)};
  self->send(st.events, std::move(e));
  auto stop = [&](const auto& child) {
    if (!child)
      return;
    self->unlink_from(child);
    self->send_exit(child, caf::exit_reason::user_shutdown);
  };
  for (auto& [n, h] : st.hosts)
    stop(h.actor);
  for (auto it = st.networks.rbegin(); it != st.networks.rend(); ++it)
    stop(it->second);
  stop(st.peer);
  stop(st.gateway);
  stop(st.vault);
  stop(st.mnfa);
  stop(st.alarms);
  stop(st.events); // last: its mailbox still holds agent_stop, written before it exits
}

} // namespace hbs
