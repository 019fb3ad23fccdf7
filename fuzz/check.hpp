#pragma once
// Invariant checks for the fuzz targets. A violated invariant names itself on stderr, then
// traps, so libFuzzer saves the input as a crash like any sanitizer finding.

#include <cstdio>

#define FUZZ_CHECK(cond)                                                                   \
  do {                                                                                     \
    if (!(cond)) {                                                                         \
      std::fprintf(stderr, "fuzz invariant violated: %s (%s:%d)\n", #cond, __FILE__,      \
                   __LINE__);                                                              \
      __builtin_trap();                                                                    \
    }                                                                                      \
  } while (false)
