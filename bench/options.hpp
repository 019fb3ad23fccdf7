#pragma once
// "--name value" options of the bench tools (udp-floor, cpu-probe): no project dependency, so
// each stays a single file the bench builds and runs on its own.
#include <cstdlib>
#include <cstring>

namespace hbs::bench {

// The value after `name` in argv[first..], else `fallback`. udp-floor starts after its
// subcommand.
inline const char* option_text(int argc, char** argv, const char* name, const char* fallback,
                               int first = 1) {
  for (int i = first; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0)
      return argv[i + 1];
  return fallback;
}

inline int option_int(int argc, char** argv, const char* name, int fallback, int first = 1) {
  const char* v = option_text(argc, argv, name, nullptr, first);
  return v ? std::atoi(v) : fallback;
}

} // namespace hbs::bench
