#include "runtime/scheduling.hpp"

#include <cerrno>
#include <cstring>

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include <fmt/format.h>

namespace hbs {

bool use_realtime_scheduling(int priority, std::string& error) {
  if (priority <= 0)
    return true;
  sched_param p{};
  p.sched_priority = priority;
  // Round-robin, not FIFO: the agent's own threads share the priority and must take turns.
  if (sched_setscheduler(0, SCHED_RR, &p) == 0)
    return true;
  error = fmt::format("cannot switch to SCHED_RR priority {}: {} (running with the normal "
                      "policy; stalled periods in `hbsctl status` show what that costs)",
                      priority, std::strerror(errno));
  return false;
}

bool start_at_low_priority(const std::function<void()>& start, std::string& error) {
  std::thread t([&] {
    // On Linux both calls act on the calling thread only (pid 0, its own tid).
    sched_param p{};
    if (sched_setscheduler(0, SCHED_OTHER, &p) != 0 ||
        setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19) != 0)
      error = fmt::format("cannot lower a helper thread's priority: {}", std::strerror(errno));
    start();
  });
  t.join();
  return error.empty();
}

std::size_t allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0)
    return 0;
  return static_cast<std::size_t>(CPU_COUNT(&set));
}

std::size_t worker_threads(std::size_t wanted, std::size_t allowed) {
  return allowed == 0 ? wanted : std::max<std::size_t>(1, std::min(wanted, allowed));
}

} // namespace hbs
