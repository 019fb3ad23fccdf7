#pragma once
// What hbs-agent and hbs-client do before anything runs: parse the command line, load and
// validate the configuration (exit 2 with one line per problem), honour --check, start
// logging. Returns the exit code to leave with, or -1 to go on.

#include <sys/types.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <string>

#include "config/config.hpp"
#include "runtime/daemon_args.hpp"
#include "runtime/log.hpp"
#include "runtime/service.hpp"

namespace hbs {

// --stop-with PID: the process that started this one (a demo or test script). Returns true
// once it is gone, so the daemon stops as on SIGTERM even when its starter was SIGKILLed.
inline bool starter_gone(pid_t starter) {
  return starter > 0 && kill(starter, 0) != 0 && errno == ESRCH;
}

template <class Config>
int start_daemon(int argc, char** argv, const daemon_info& info,
                 cfg::loaded<Config> (*load)(const std::string&), Config& out,
                 std::string& config_path, pid_t& stop_with, bool* reset_state = nullptr) {
  daemon_args args;
  if (int rc = parse_daemon_args(argc, argv, info, reset_state != nullptr, args); rc >= 0)
    return rc;
  config_path = args.config_path;
  stop_with = args.stop_with;
  if (reset_state)
    *reset_state = args.reset_state;
  auto loaded = load(config_path);
  if (!loaded.ok()) {
    for (auto& p : loaded.problems)
      std::fprintf(stderr, "%s: config error: %s\n", info.name, p.c_str());
    return 2;
  }
  if (args.check_only) {
    for (auto& n : loaded.notes)
      std::printf("%s: %s\n", info.name, n.c_str());
    std::printf("%s: configuration valid\n", config_path.c_str());
    return 0;
  }
  out = std::move(loaded.config);
  log::level lvl = log::level::info;
  log::parse_level(out.log_level, lvl);
  log::set_categories(out.log_categories);
  log::init(info.name, lvl, !service::under_systemd(),
            out.log_dir.empty() ? "" : out.log_dir + "/" + info.name + ".log",
            service::stderr_to_journal());
  for (auto& n : loaded.notes) // where each setting came from (starlingx mode's files)
    log::info("main", "config: {}", n);
  return -1;
}

} // namespace hbs
