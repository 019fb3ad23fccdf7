#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "runtime/daemon_args.hpp"

namespace {

const hbs::daemon_info info{"hbs-test", "hbs-test: a daemon under test", "/etc/hbs/test.toml",
                            "Exit status: 0, 1, 2."};

int parse(std::vector<std::string> words, hbs::daemon_args& out, bool offers_reset = false) {
  words.insert(words.begin(), "hbs-test");
  std::vector<char*> argv;
  for (auto& w : words)
    argv.push_back(w.data());
  argv.push_back(nullptr);
  return hbs::parse_daemon_args(static_cast<int>(words.size()), argv.data(), info, offers_reset,
                                out);
}

} // namespace

TEST_CASE("a daemon's command line gives its config path, --check and --stop-with") {
  hbs::daemon_args a;
  CHECK(parse({}, a) == -1);
  CHECK(a.config_path == "/etc/hbs/test.toml");
  CHECK_FALSE(a.check_only);
  CHECK(a.stop_with == 0);
  CHECK(parse({"-c", "/tmp/x.toml", "--check", "--stop-with", "4242"}, a) == -1);
  CHECK(a.config_path == "/tmp/x.toml");
  CHECK(a.check_only);
  CHECK(a.stop_with == 4242);
  CHECK(parse({"--config=/tmp/y.toml"}, a) == -1);
  CHECK(a.config_path == "/tmp/y.toml");
  CHECK(parse({"--reset-state"}, a, true) == -1);
  CHECK(a.reset_state);
}

TEST_CASE("a bad daemon command line exits 2 and help or version exit 0") {
  hbs::daemon_args a;
  CHECK(parse({"--bogus"}, a) == 2);
  CHECK(parse({"--stop-with", "abc"}, a) == 2);
  CHECK(parse({"--stop-with", "0"}, a) == 2);
  CHECK(parse({"--stop-with", "-5"}, a) == 2);
  CHECK(parse({"--stop-with", "99999999999"}, a) == 2);
  CHECK(parse({"--config"}, a) == 2);
  CHECK(parse({"--config", ""}, a) == 2);
  CHECK(parse({"extra"}, a) == 2);
  CHECK(parse({"--reset-state"}, a, false) == 2); // only the agent offers it
  CHECK(parse({"--help"}, a) == 0);
  CHECK(parse({"--version"}, a) == 0);
}
