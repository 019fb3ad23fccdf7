#include "runtime/daemon_args.hpp"

#include <getopt.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace hbs {

namespace {

enum : int { opt_check = 256, opt_stop_with, opt_reset_state, opt_version };

void print_help(const daemon_info& info, bool offers_reset) {
  std::printf("%s\nUsage: %s [OPTIONS]\n\nOptions:\n", info.about, info.name);
  std::printf("  -h, --help             print this help and exit\n");
  std::printf("  -c, --config PATH      configuration file (TOML); default %s\n",
              info.config_path);
  std::printf("      --check            validate the configuration and exit (0 valid, 2 not)\n");
  std::printf("      --stop-with PID    stop (as on SIGTERM) within a second of process PID\n"
              "                         ending: scripts that start daemons pass their own pid,\n"
              "                         so none outlives them\n");
  if (offers_reset)
    std::printf("      --reset-state      start from the configuration file alone: run-time\n"
                "                         changes kept in the state directory (control.json)\n"
                "                         are set aside, not used\n");
  std::printf("      --version          print the version and exit\n\n%s\n", info.footer);
}

bool parse_pid(const char* text, pid_t& out) {
  errno = 0;
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v <= 0 || v > INT_MAX)
    return false;
  out = static_cast<pid_t>(v);
  return true;
}

int bad(const daemon_info& info, const char* what) {
  std::fprintf(stderr, "%s: %s\nRun with --help for more information.\n", info.name, what);
  return 2;
}

} // namespace

int parse_daemon_args(int argc, char** argv, const daemon_info& info, bool offers_reset,
                      daemon_args& out) {
  out = daemon_args{};
  out.config_path = info.config_path;
  std::vector<option> all = {{"help", no_argument, nullptr, 'h'},
                             {"config", required_argument, nullptr, 'c'},
                             {"check", no_argument, nullptr, opt_check},
                             {"stop-with", required_argument, nullptr, opt_stop_with},
                             {"version", no_argument, nullptr, opt_version}};
  if (offers_reset)
    all.push_back({"reset-state", no_argument, nullptr, opt_reset_state});
  all.push_back({nullptr, 0, nullptr, 0});
  opterr = 0; // our own messages, which name the option
  optind = 0; // glibc: start afresh (tests parse more than one command line)
  std::string msg;
  for (int c; (c = getopt_long(argc, argv, ":hc:", all.data(), nullptr)) != -1;) {
    switch (c) {
      case 'h': print_help(info, offers_reset); return 0;
      case 'c': out.config_path = optarg; break;
      case opt_check: out.check_only = true; break;
      case opt_reset_state: out.reset_state = true; break;
      case opt_version: std::printf("%s %s\n", info.name, HBS_VERSION); return 0;
      case opt_stop_with:
        if (!parse_pid(optarg, out.stop_with))
          return bad(info, (msg = std::string{"--stop-with takes a process id (a whole "
                                              "number above 0), not '"} + optarg + "'").c_str());
        break;
      case ':':
        return bad(info, (msg = std::string{argv[optind - 1]} + " needs a value").c_str());
      default:
        return bad(info, (msg = std::string{"unknown option '"} + argv[optind - 1] + "'")
                           .c_str());
    }
  }
  if (optind < argc)
    return bad(info, (msg = std::string{"unexpected argument '"} + argv[optind] + "'").c_str());
  if (out.config_path.empty())
    return bad(info, "--config needs a file path");
  return -1;
}

} // namespace hbs
