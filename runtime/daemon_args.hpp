#pragma once
// The daemons' command line, parsed with getopt_long and answered with stdio: hbs-client
// must not pull in iostreams (its static init alone keeps ~0.5 MB of libstdc++ resident on
// every host of the fleet: issue 16 §3). hbsctl, a short-lived tool, keeps CLI11.

#include <sys/types.h>

#include <string>

namespace hbs {

struct daemon_info {
  const char* name;        // hbs-agent
  const char* about;       // one line for --help
  const char* config_path; // default
  const char* footer;      // exit codes and signals
};

struct daemon_args {
  std::string config_path;
  bool check_only = false;
  pid_t stop_with = 0;
  bool reset_state = false;
};

// -1 to go on; otherwise the exit code: 0 after --help or --version (printed to stdout),
// 2 for a bad argument (one line on stderr saying which). offers_reset adds --reset-state.
int parse_daemon_args(int argc, char** argv, const daemon_info& info, bool offers_reset,
                      daemon_args& out);

} // namespace hbs
