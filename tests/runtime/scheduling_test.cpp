#include <doctest/doctest.h>

#include <sched.h>

#include <thread>

#include "runtime/scheduling.hpp"

TEST_CASE("a scheduler gets no more workers than the CPUs the process may run on") {
  CHECK(hbs::worker_threads(2, 1) == 1);
  CHECK(hbs::worker_threads(2, 2) == 2);
  CHECK(hbs::worker_threads(2, 64) == 2);
  CHECK(hbs::worker_threads(1, 4) == 1);
}

TEST_CASE("an affinity the kernel does not tell leaves the workers wanted") {
  CHECK(hbs::worker_threads(2, 0) == 2);
}

TEST_CASE("the CPUs allowed are read from the affinity, as taskset sets it") {
  auto all = hbs::allowed_cpus();
  REQUIRE(all >= 1);
  size_t pinned = 0;
  // On a thread of its own: the affinity is per thread, and the test's own stays as it was.
  std::thread t([&] {
    cpu_set_t set;
    CPU_ZERO(&set);
    REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
    int first = 0;
    while (!CPU_ISSET(first, &set))
      ++first;
    CPU_ZERO(&set);
    CPU_SET(first, &set);
    REQUIRE(sched_setaffinity(0, sizeof set, &set) == 0);
    pinned = hbs::allowed_cpus();
  });
  t.join();
  CHECK(pinned == 1);
  CHECK(hbs::allowed_cpus() == all);
}
