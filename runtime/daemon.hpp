#pragma once
// What hbs-agent and hbs-client do before anything runs: parse the command line, load and
// validate the configuration (exit 2 with one line per problem), honour --check, start
// logging. Returns the exit code to leave with, or -1 to go on.

#include <sys/types.h>

#include <cerrno>
#include <csignal>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "config/config.hpp"
#include "runtime/log.hpp"
#include "runtime/service.hpp"

namespace hbs {

struct daemon_info {
  const char* name;        // hbs-agent
  const char* about;       // one line for --help
  const char* config_path; // default
  const char* footer;      // exit codes and signals
};

// --stop-with PID: the process that started this one (a demo or test script). Returns true
// once it is gone, so the daemon stops as on SIGTERM even when its starter was SIGKILLed.
inline bool starter_gone(pid_t starter) {
  return starter > 0 && kill(starter, 0) != 0 && errno == ESRCH;
}

template <class Config>
int start_daemon(int argc, char** argv, const daemon_info& info,
                 cfg::loaded<Config> (*load)(const std::string&), Config& out,
                 std::string& config_path, pid_t& stop_with, bool* reset_state = nullptr) {
  CLI::App app{info.about};
  config_path = info.config_path;
  bool check_only = false;
  app.add_option("-c,--config", config_path, "configuration file (TOML)")->capture_default_str();
  app.add_flag("--check", check_only, "validate the configuration and exit (0 valid, 2 not)");
  stop_with = 0;
  app.add_option("--stop-with", stop_with,
                 "stop (as on SIGTERM) within a second of process PID ending: scripts that "
                 "start daemons pass their own pid, so none outlives them")
    ->check(CLI::PositiveNumber);
  if (reset_state)
    app.add_flag("--reset-state", *reset_state,
                 "start from the configuration file alone: run-time changes kept in the state "
                 "directory (control.json) are set aside, not used");
  app.set_version_flag("--version", std::string{info.name} + " " + HBS_VERSION);
  app.footer(info.footer);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  auto loaded = load(config_path);
  if (!loaded.ok()) {
    for (auto& p : loaded.problems)
      std::cerr << info.name << ": config error: " << p << '\n';
    return 2;
  }
  if (check_only) {
    std::cout << config_path << ": configuration valid\n";
    return 0;
  }
  out = std::move(loaded.config);
  log::level lvl = log::level::info;
  log::parse_level(out.log_level, lvl);
  log::set_categories(out.log_categories);
  log::init(info.name, lvl, !service::under_systemd(),
            out.log_dir.empty() ? "" : out.log_dir + "/" + info.name + ".log",
            service::stderr_to_journal());
  return -1;
}

} // namespace hbs
