// How fast this machine's CPU runs a fixed job, sampled through a bench window:
//   cpu-probe --every-ms M --seconds S
// prints one line "probe <µs>" every M ms: the thread CPU time one fixed job of integer work
// took (~2 ms here). On this VM a fixed loop's CPU time moved 2.6x within 30 s with no load of
// ours and no steal reported (results/experiment-sim-volume-20261203T1410Z.md), so a bench's
// CPU figures of different runs compare only beside it. Bounded: exits after S seconds.
#include <time.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <thread>

#include "options.hpp"

namespace {

// The clock of actors/busy_meter.hpp's thread_cpu_ns, kept here: bench tools are one file
// each with no project dependency (options.hpp).
int64_t thread_cpu_ns() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

// A dependent chain the compiler cannot fold: the same instructions every time.
uint64_t job(uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 1'000'000; ++i)
    x = x * 6364136223846793005ull + 1442695040888963407ull;
  return x;
}

} // namespace

int main(int argc, char** argv) {
  int every_ms = hbs::bench::option_int(argc, argv, "--every-ms", 500);
  int seconds = hbs::bench::option_int(argc, argv, "--seconds", 60);
  if (every_ms < 10 || seconds < 1 || seconds > 86400) {
    std::fprintf(stderr, "usage: cpu-probe --every-ms M (>= 10) --seconds S (1..86400)\n");
    return 2;
  }
  auto end = std::chrono::steady_clock::now() + std::chrono::seconds{seconds};
  volatile uint64_t sink = 1; // the job's result is used: the work is not optimised away
  while (std::chrono::steady_clock::now() < end) {
    auto t0 = thread_cpu_ns();
    sink = job(sink);
    auto t1 = thread_cpu_ns();
    std::printf("probe %lld\n", static_cast<long long>((t1 - t0) / 1000));
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::milliseconds{every_ms});
  }
  return 0;
}
